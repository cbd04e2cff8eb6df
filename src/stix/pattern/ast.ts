/**
 * The syntax tree of a STIX patterning expression.
 *
 * Every node carries `pos`, the half-open `[start, end)` range of source offsets it was parsed
 * from, so that later passes (semantic validation) can point at a column. Parenthesised
 * expressions are kept as `*-group` nodes: the validator's duplicate-qualifier rule depends on them,
 * and printing a tree back to text reproduces them exactly.
 */

export interface Span {
  start: number
  end: number
}

export type Pattern = ObservationExpression

export type ObservationExpression =
  | ObservationNode
  | ObservationOperatorNode
  | QualifiedObservationNode
  | ObservationGroupNode

/** `[ comparison ]` */
export interface ObservationNode {
  type: 'observation'
  comparison: ComparisonExpression
  pos: Span
}

export type ObservationOperator = 'AND' | 'OR' | 'FOLLOWEDBY'

export interface ObservationOperatorNode {
  type: 'observation-operator'
  operator: ObservationOperator
  left: ObservationExpression
  right: ObservationExpression
  pos: Span
}

export interface QualifiedObservationNode {
  type: 'qualified'
  expression: ObservationExpression
  qualifier: Qualifier
  pos: Span
}

export interface ObservationGroupNode {
  type: 'observation-group'
  expression: ObservationExpression
  pos: Span
}

export type Qualifier = WithinQualifier | RepeatsQualifier | StartStopQualifier

export interface WithinQualifier {
  type: 'within'
  seconds: number
  pos: Span
}

export interface RepeatsQualifier {
  type: 'repeats'
  times: number
  pos: Span
}

/** Timestamps are kept as written (without the `t'...'` wrapper); `start` is inclusive, `stop` exclusive. */
export interface StartStopQualifier {
  type: 'start-stop'
  start: string
  stop: string
  pos: Span
}

export type ComparisonExpression = ComparisonNode | ExistsNode | BooleanNode | ComparisonGroupNode

export type ComparisonOperator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'IN'
  | 'LIKE'
  | 'MATCHES'
  | 'ISSUBSET'
  | 'ISSUPERSET'

export interface ComparisonNode {
  type: 'comparison'
  path: ObjectPath
  operator: ComparisonOperator
  negated: boolean
  /** A `set` literal exactly when `operator` is `IN`. */
  value: Literal | SetLiteral
  pos: Span
}

export interface ExistsNode {
  type: 'exists'
  path: ObjectPath
  negated: boolean
  pos: Span
}

export interface BooleanNode {
  type: 'boolean'
  operator: 'AND' | 'OR'
  left: ComparisonExpression
  right: ComparisonExpression
  pos: Span
}

export interface ComparisonGroupNode {
  type: 'comparison-group'
  expression: ComparisonExpression
  pos: Span
}

/** `objectType:step.step[0]...`; the first step is always a key. */
export interface ObjectPath {
  objectType: string
  steps: PathStep[]
  pos: Span
}

export type PathStep =
  | { type: 'key'; name: string; pos: Span }
  | { type: 'index'; index: number | '*'; pos: Span }

export type Literal =
  | { type: 'int'; value: number; pos: Span }
  | { type: 'float'; value: number; pos: Span }
  | { type: 'string'; value: string; pos: Span }
  | { type: 'bool'; value: boolean; pos: Span }
  /** base64 text as written */
  | { type: 'binary'; value: string; pos: Span }
  /** hex digits as written */
  | { type: 'hex'; value: string; pos: Span }
  /** RFC 3339 text as written */
  | { type: 'timestamp'; value: string; pos: Span }

export interface SetLiteral {
  type: 'set'
  values: Literal[]
  pos: Span
}
