/**
 * A small deterministic force layout for an object's neighbourhood: nodes start on rings around the centre
 * (grouped by type, so alike nodes sit together), then repulsion between all nodes and springs along edges
 * settle them; the centre stays pinned. Spacing scales with the number of nodes so the drawing fills the area.
 */

export interface Placed {
  id: string
  x: number
  y: number
}

export interface LayoutNode {
  id: string
  type: string
}

export function forceLayout(
  input: LayoutNode[],
  edges: { source: string; target: string }[],
  center: string,
  width: number,
  height: number,
  steps = 250,
): Map<string, Placed> {
  const cx = width / 2
  const cy = height / 2
  const others = input
    .filter((n) => n.id !== center)
    .sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id))
  // more than a ring's worth of nodes go on a second, wider ring, alternating so neighbours do not overlap
  const inner = others.length > 16 ? 0.28 : 0.38
  const nodes: Placed[] = [{ id: center, x: cx, y: cy }]
  others.forEach((n, i) => {
    const angle = (2 * Math.PI * i) / others.length - Math.PI / 2
    const r = others.length > 16 && i % 2 === 1 ? 0.42 : inner
    nodes.push({ id: n.id, x: cx + Math.cos(angle) * width * r, y: cy + Math.sin(angle) * height * r })
  })
  const index = new Map(nodes.map((n, i) => [n.id, i]))
  const links = edges.flatMap((e) => {
    const a = index.get(e.source)
    const b = index.get(e.target)
    return a === undefined || b === undefined || a === b ? [] : [[a, b] as const]
  })
  const ideal = Math.max(40, Math.min(170, Math.sqrt((width * height) / Math.max(1, nodes.length)) * 0.9))
  for (let step = 0; step < steps; step++) {
    const heat = 1 - step / steps
    const fx = new Float64Array(nodes.length)
    const fy = new Float64Array(nodes.length)
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const dx = nodes[i]!.x - nodes[j]!.x || 0.01
        const dy = nodes[i]!.y - nodes[j]!.y || 0.01
        const d2 = Math.max(dx * dx + dy * dy, 1)
        if (d2 > 4 * ideal * ideal) continue
        const f = ((ideal * ideal) / d2) * 0.02
        fx[i]! += dx * f
        fy[i]! += dy * f
        fx[j]! -= dx * f
        fy[j]! -= dy * f
      }
    }
    for (const [a, b] of links) {
      const dx = nodes[b]!.x - nodes[a]!.x
      const dy = nodes[b]!.y - nodes[a]!.y
      const d = Math.max(Math.hypot(dx, dy), 1)
      const f = ((d - ideal * 1.6) / d) * 0.03
      fx[a]! += dx * f
      fy[a]! += dy * f
      fx[b]! -= dx * f
      fy[b]! -= dy * f
    }
    nodes.forEach((n, i) => {
      if (n.id === center) return
      const limit = 12 * heat + 0.5
      n.x = Math.max(30, Math.min(width - 30, n.x + Math.max(-limit, Math.min(limit, fx[i]!))))
      n.y = Math.max(20, Math.min(height - 30, n.y + Math.max(-limit, Math.min(limit, fy[i]!))))
    })
  }
  return new Map(nodes.map((n) => [n.id, n]))
}
