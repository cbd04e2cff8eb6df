/**
 * The STIX 2.1 Cyber-observable Objects and their properties, as far as object paths need them:
 * which names exist, which hold lists, dictionaries or nested structures, and which are
 * references (so a path may continue into the referenced object's properties).
 */

export type PropertySpec =
  /** a scalar (string, number, boolean, timestamp, binary, hex): nothing may follow it */
  | 'value'
  /** an open dictionary (hashes, environment variables, ...): any key, anything below */
  | 'dict'
  /** a reference to an object of one of these types (empty: any object) */
  | { ref: readonly string[] }
  | { list: PropertySpec }
  | { props: Readonly<Record<string, PropertySpec>> }

export interface ScoTypeDefinition {
  properties: Readonly<Record<string, PropertySpec>>
  /** predefined extensions of this type, by extension name */
  extensions?: Readonly<Record<string, Readonly<Record<string, PropertySpec>>>>
}

const V = 'value' as const
const D = 'dict' as const
const ref = (...types: string[]): PropertySpec => ({ ref: types })
const refs = (...types: string[]): PropertySpec => ({ list: { ref: types } })
const list = (item: PropertySpec): PropertySpec => ({ list: item })
const obj = (props: Record<string, PropertySpec>): PropertySpec => ({ props })

const ADDRESS_TYPES = ['ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name']

/** Properties every SCO may carry. */
export const COMMON_SCO_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  type: V,
  id: V,
  spec_version: V,
  object_marking_refs: refs(),
  granular_markings: list(obj({ lang: V, marking_ref: ref(), selectors: list(V) })),
  defanged: V,
}

export const STIX21_SCO_TYPES: Readonly<Record<string, ScoTypeDefinition>> = {
  artifact: {
    properties: {
      mime_type: V,
      payload_bin: V,
      url: V,
      hashes: D,
      encryption_algorithm: V,
      decryption_key: V,
    },
  },
  'autonomous-system': { properties: { number: V, name: V, rir: V } },
  directory: {
    properties: {
      path: V,
      path_enc: V,
      ctime: V,
      mtime: V,
      atime: V,
      contains_refs: refs('file', 'directory'),
    },
  },
  'domain-name': {
    properties: { value: V, resolves_to_refs: refs('ipv4-addr', 'ipv6-addr', 'domain-name') },
  },
  'email-addr': { properties: { value: V, display_name: V, belongs_to_ref: ref('user-account') } },
  'email-message': {
    properties: {
      is_multipart: V,
      date: V,
      content_type: V,
      from_ref: ref('email-addr'),
      sender_ref: ref('email-addr'),
      to_refs: refs('email-addr'),
      cc_refs: refs('email-addr'),
      bcc_refs: refs('email-addr'),
      message_id: V,
      subject: V,
      received_lines: list(V),
      additional_header_fields: D,
      body: V,
      body_multipart: list(
        obj({ body: V, body_raw_ref: ref('artifact', 'file'), content_type: V, content_disposition: V }),
      ),
      raw_email_ref: ref('artifact'),
    },
  },
  file: {
    properties: {
      hashes: D,
      size: V,
      name: V,
      name_enc: V,
      magic_number_hex: V,
      mime_type: V,
      ctime: V,
      mtime: V,
      atime: V,
      parent_directory_ref: ref('directory'),
      contains_refs: refs(),
      content_ref: ref('artifact'),
    },
    extensions: {
      'archive-ext': { contains_refs: refs('file', 'directory'), comment: V },
      'ntfs-ext': { sid: V, alternate_data_streams: list(obj({ name: V, hashes: D, size: V })) },
      'pdf-ext': { version: V, is_optimized: V, document_info_dict: D, pdfid0: V, pdfid1: V },
      'raster-image-ext': { image_height: V, image_width: V, bits_per_pixel: V, exif_tags: D },
      'windows-pebinary-ext': {
        pe_type: V,
        imphash: V,
        machine_hex: V,
        number_of_sections: V,
        time_date_stamp: V,
        pointer_to_symbol_table_hex: V,
        number_of_symbols: V,
        size_of_optional_header: V,
        characteristics_hex: V,
        file_header_hashes: D,
        optional_header: obj({
          magic_hex: V,
          major_linker_version: V,
          minor_linker_version: V,
          size_of_code: V,
          size_of_initialized_data: V,
          size_of_uninitialized_data: V,
          address_of_entry_point: V,
          base_of_code: V,
          base_of_data: V,
          image_base: V,
          section_alignment: V,
          file_alignment: V,
          major_os_version: V,
          minor_os_version: V,
          major_image_version: V,
          minor_image_version: V,
          major_subsystem_version: V,
          minor_subsystem_version: V,
          win32_version_value_hex: V,
          size_of_image: V,
          size_of_headers: V,
          checksum_hex: V,
          subsystem_hex: V,
          dll_characteristics_hex: V,
          size_of_stack_reserve: V,
          size_of_stack_commit: V,
          size_of_heap_reserve: V,
          size_of_heap_commit: V,
          loader_flags_hex: V,
          number_of_rva_and_sizes: V,
          hashes: D,
        }),
        sections: list(obj({ name: V, size: V, entropy: V, hashes: D })),
      },
    },
  },
  'ipv4-addr': {
    properties: { value: V, resolves_to_refs: refs('mac-addr'), belongs_to_refs: refs('autonomous-system') },
  },
  'ipv6-addr': {
    properties: { value: V, resolves_to_refs: refs('mac-addr'), belongs_to_refs: refs('autonomous-system') },
  },
  'mac-addr': { properties: { value: V } },
  mutex: { properties: { name: V } },
  'network-traffic': {
    properties: {
      start: V,
      end: V,
      is_active: V,
      src_ref: ref(...ADDRESS_TYPES),
      dst_ref: ref(...ADDRESS_TYPES),
      src_port: V,
      dst_port: V,
      protocols: list(V),
      src_byte_count: V,
      dst_byte_count: V,
      src_packets: V,
      dst_packets: V,
      ipfix: D,
      src_payload_ref: ref('artifact'),
      dst_payload_ref: ref('artifact'),
      encapsulates_refs: refs('network-traffic'),
      encapsulated_by_ref: ref('network-traffic'),
    },
    extensions: {
      'http-request-ext': {
        request_method: V,
        request_value: V,
        request_version: V,
        request_header: D,
        message_body_length: V,
        message_body_data_ref: ref('artifact'),
      },
      'icmp-ext': { icmp_type_hex: V, icmp_code_hex: V },
      'socket-ext': {
        address_family: V,
        is_blocking: V,
        is_listening: V,
        options: D,
        socket_type: V,
        socket_descriptor: V,
        socket_handle: V,
      },
      'tcp-ext': { src_flags_hex: V, dst_flags_hex: V },
    },
  },
  process: {
    properties: {
      is_hidden: V,
      pid: V,
      created_time: V,
      cwd: V,
      command_line: V,
      environment_variables: D,
      opened_connection_refs: refs('network-traffic'),
      creator_user_ref: ref('user-account'),
      image_ref: ref('file'),
      parent_ref: ref('process'),
      child_refs: refs('process'),
    },
    extensions: {
      'windows-process-ext': {
        aslr_enabled: V,
        dep_enabled: V,
        priority: V,
        owner_sid: V,
        window_title: V,
        startup_info: D,
        integrity_level: V,
      },
      'windows-service-ext': {
        service_name: V,
        descriptions: list(V),
        display_name: V,
        group_name: V,
        start_type: V,
        service_dll_refs: refs('file'),
        service_type: V,
        service_status: V,
      },
    },
  },
  software: { properties: { name: V, cpe: V, swid: V, languages: list(V), vendor: V, version: V } },
  url: { properties: { value: V } },
  'user-account': {
    properties: {
      user_id: V,
      credential: V,
      account_login: V,
      account_type: V,
      display_name: V,
      is_service_account: V,
      is_privileged: V,
      can_escalate_privs: V,
      is_disabled: V,
      account_created: V,
      account_expires: V,
      credential_last_changed: V,
      account_first_login: V,
      account_last_login: V,
    },
    extensions: { 'unix-account-ext': { gid: V, groups: list(V), home_dir: V, shell: V } },
  },
  'windows-registry-key': {
    properties: {
      key: V,
      values: list(obj({ name: V, data: V, data_type: V })),
      modified_time: V,
      creator_user_ref: ref('user-account'),
      number_of_subkeys: V,
    },
  },
  'x509-certificate': {
    properties: {
      is_self_signed: V,
      hashes: D,
      version: V,
      serial_number: V,
      signature_algorithm: V,
      issuer: V,
      validity_not_before: V,
      validity_not_after: V,
      subject: V,
      subject_public_key_algorithm: V,
      subject_public_key_modulus: V,
      subject_public_key_exponent: V,
      x509_v3_extensions: obj({
        basic_constraints: V,
        name_constraints: V,
        policy_constraints: V,
        key_usage: V,
        extended_key_usage: V,
        subject_key_identifier: V,
        authority_key_identifier: V,
        subject_alternative_name: V,
        issuer_alternative_name: V,
        subject_directory_attributes: V,
        crl_distribution_points: V,
        inhibit_any_policy: V,
        private_key_usage_period_not_before: V,
        private_key_usage_period_not_after: V,
        certificate_policies: V,
        policy_mappings: V,
      }),
    },
  },
}

/**
 * A custom object type name as STIX 2.1 allows it (section 3.1 naming rules, the type pattern of
 * the OASIS schemas): lowercase ASCII letters, digits and single hyphens, 3 to 250 characters,
 * starting with a letter. `x-` prefixed names are the conventional form.
 */
export function isCustomTypeName(name: string): boolean {
  return name.length >= 3 && name.length <= 250 && /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(name)
}

/**
 * A custom property on a predefined object: STIX reserves un-prefixed names for future versions,
 * so a custom property must be `x_`-prefixed and otherwise follow the property naming rules
 * (ASCII letters, digits, underscore; 3 to 250 characters).
 */
export function isCustomPropertyName(name: string): boolean {
  return name.length >= 3 && name.length <= 250 && /^x_[a-zA-Z0-9_]+$/.test(name)
}

/** A custom extension key: an extension-definition id, or the legacy `x-` prefixed name. */
export function isCustomExtensionName(name: string): boolean {
  return (
    /^extension-definition--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/.test(
      name,
    ) || /^x-[a-z0-9][a-z0-9-]*$/.test(name)
  )
}
