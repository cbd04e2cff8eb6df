/** STIX Cyber-observable Objects (STIX 2.1 §6) and their predefined extensions. */
import { report } from '../issue.js'
import * as V from '../vocabularies.js'
import { defineType } from './common.js'
import * as F from './formats.js'
import {
  atLeastOne,
  binary,
  boolean,
  closed,
  dictionary,
  exclusive,
  formatted,
  hashes,
  hex,
  integer,
  list,
  number,
  object,
  oneOf,
  opt,
  order,
  ov,
  ref,
  refs,
  refTo,
  req,
  requires,
  type Shape,
  string,
  strings,
  type TypeSpec,
  timestamp,
  timestampSeconds,
  url,
} from './kinds.js'

const charset = formatted('charset-name', F.isCharsetName)
const count = integer(0)

const fileExtensions: Record<string, Shape> = {
  'ntfs-ext': {
    properties: {
      sid: opt(string),
      alternate_data_streams: opt(list(object({ name: req(string), hashes: opt(hashes), size: opt(count) }))),
    },
    constraints: [atLeastOne('sid', 'alternate_data_streams')],
  },
  'raster-image-ext': {
    properties: {
      image_height: opt(integer()),
      image_width: opt(integer()),
      bits_per_pixel: opt(integer()),
      exif_tags: opt(dictionary(oneOf(string, integer()))),
    },
    constraints: [atLeastOne('image_height', 'image_width', 'bits_per_pixel', 'exif_tags')],
  },
  'pdf-ext': {
    properties: {
      version: opt(string),
      is_optimized: opt(boolean),
      document_info_dict: opt(dictionary(string)),
      pdfid0: opt(string),
      pdfid1: opt(string),
    },
    constraints: [atLeastOne('version', 'is_optimized', 'document_info_dict', 'pdfid0', 'pdfid1')],
  },
  'archive-ext': {
    properties: { contains_refs: req(refs('file', 'directory')), comment: opt(string) },
  },
  'windows-pebinary-ext': {
    properties: {
      pe_type: req(ov('windows-pebinary-type-ov')),
      imphash: opt(string),
      machine_hex: opt(hex),
      number_of_sections: opt(count),
      time_date_stamp: opt(timestampSeconds),
      pointer_to_symbol_table_hex: opt(hex),
      number_of_symbols: opt(count),
      size_of_optional_header: opt(count),
      characteristics_hex: opt(hex),
      file_header_hashes: opt(hashes),
      optional_header: opt(
        object({
          magic_hex: opt(hex),
          major_linker_version: opt(integer()),
          minor_linker_version: opt(integer()),
          size_of_code: opt(count),
          size_of_initialized_data: opt(count),
          size_of_uninitialized_data: opt(count),
          address_of_entry_point: opt(integer()),
          base_of_code: opt(integer()),
          base_of_data: opt(integer()),
          image_base: opt(integer()),
          section_alignment: opt(integer()),
          file_alignment: opt(integer()),
          major_os_version: opt(integer()),
          minor_os_version: opt(integer()),
          major_image_version: opt(integer()),
          minor_image_version: opt(integer()),
          major_subsystem_version: opt(integer()),
          minor_subsystem_version: opt(integer()),
          win32_version_value_hex: opt(hex),
          size_of_image: opt(count),
          size_of_headers: opt(count),
          checksum_hex: opt(hex),
          subsystem_hex: opt(hex),
          dll_characteristics_hex: opt(hex),
          size_of_stack_reserve: opt(count),
          size_of_stack_commit: opt(count),
          size_of_heap_reserve: opt(count),
          size_of_heap_commit: opt(count),
          loader_flags_hex: opt(hex),
          number_of_rva_and_sizes: opt(integer()),
          hashes: opt(hashes),
        }),
      ),
      sections: opt(
        list(object({ name: req(string), size: opt(count), entropy: opt(number()), hashes: opt(hashes) })),
      ),
    },
    // §6.7.6: at least one property besides the required pe_type
    constraints: [
      {
        kind: 'check',
        check(obj, path, sink) {
          if (Object.keys(obj).every((k) => k === 'pe_type'))
            report(
              sink,
              path,
              'at-least-one-property',
              'windows-pebinary-ext needs at least one property besides pe_type',
            )
        },
      },
    ],
  },
}

const networkTrafficExtensions: Record<string, Shape> = {
  'http-request-ext': {
    properties: {
      request_method: req(string),
      request_value: req(string),
      request_version: opt(string),
      request_header: opt(dictionary(oneOf(string, strings))),
      message_body_length: opt(count),
      message_body_data_ref: opt(ref('artifact')),
    },
  },
  'icmp-ext': { properties: { icmp_type_hex: req(hex), icmp_code_hex: req(hex) } },
  'socket-ext': {
    properties: {
      address_family: req(closed('network-socket-address-family-enum', V.NETWORK_SOCKET_ADDRESS_FAMILY_ENUM)),
      is_blocking: opt(boolean),
      is_listening: opt(boolean),
      options: opt(dictionary(integer())),
      socket_type: opt(closed('network-socket-type-enum', V.NETWORK_SOCKET_TYPE_ENUM)),
      socket_descriptor: opt(count),
      socket_handle: opt(integer()),
    },
  },
  'tcp-ext': {
    properties: { src_flags_hex: opt(hex), dst_flags_hex: opt(hex) },
    constraints: [atLeastOne('src_flags_hex', 'dst_flags_hex')],
  },
}

const processExtensions: Record<string, Shape> = {
  'windows-process-ext': {
    properties: {
      aslr_enabled: opt(boolean),
      dep_enabled: opt(boolean),
      priority: opt(string),
      owner_sid: opt(string),
      window_title: opt(string),
      startup_info: opt(dictionary()),
      integrity_level: opt(closed('windows-integrity-level-enum', V.WINDOWS_INTEGRITY_LEVEL_ENUM)),
    },
    constraints: [
      atLeastOne(
        'aslr_enabled',
        'dep_enabled',
        'priority',
        'owner_sid',
        'window_title',
        'startup_info',
        'integrity_level',
      ),
    ],
  },
  'windows-service-ext': {
    properties: {
      service_name: opt(string),
      descriptions: opt(strings),
      display_name: opt(string),
      group_name: opt(string),
      start_type: opt(closed('windows-service-start-type-enum', V.WINDOWS_SERVICE_START_TYPE_ENUM)),
      service_dll_refs: opt(refs('file')),
      service_type: opt(closed('windows-service-type-enum', V.WINDOWS_SERVICE_TYPE_ENUM)),
      service_status: opt(closed('windows-service-status-enum', V.WINDOWS_SERVICE_STATUS_ENUM)),
    },
    constraints: [
      atLeastOne(
        'service_name',
        'descriptions',
        'display_name',
        'group_name',
        'start_type',
        'service_dll_refs',
        'service_type',
        'service_status',
      ),
    ],
  },
}

const userAccountExtensions: Record<string, Shape> = {
  'unix-account-ext': {
    properties: { gid: opt(integer()), groups: opt(strings), home_dir: opt(string), shell: opt(string) },
    constraints: [atLeastOne('gid', 'groups', 'home_dir', 'shell')],
  },
}

const ipRefs = { resolves_to_refs: opt(refs('mac-addr')), belongs_to_refs: opt(refs('autonomous-system')) }

const processProps = {
  is_hidden: opt(boolean),
  pid: opt(integer()),
  created_time: opt(timestamp),
  cwd: opt(string),
  command_line: opt(string),
  environment_variables: opt(dictionary(string)),
  opened_connection_refs: opt(refs('network-traffic')),
  creator_user_ref: opt(ref('user-account')),
  image_ref: opt(ref('file')),
  parent_ref: opt(ref('process')),
  child_refs: opt(refs('process')),
}

const userAccountProps = {
  user_id: opt(string),
  credential: opt(string),
  account_login: opt(string),
  account_type: opt(ov('account-type-ov')),
  display_name: opt(string),
  is_service_account: opt(boolean),
  is_privileged: opt(boolean),
  can_escalate_privs: opt(boolean),
  is_disabled: opt(boolean),
  account_created: opt(timestamp),
  account_expires: opt(timestamp),
  credential_last_changed: opt(timestamp),
  account_first_login: opt(timestamp),
  account_last_login: opt(timestamp),
}

const registryProps = {
  key: opt(formatted('windows-registry-key', F.isRegistryKey)),
  values: opt(
    list(
      object(
        {
          name: opt(string),
          data: opt(string),
          data_type: opt(closed('windows-registry-datatype-enum', V.WINDOWS_REGISTRY_DATATYPE_ENUM)),
        },
        [atLeastOne('name', 'data', 'data_type')],
      ),
    ),
  ),
  modified_time: opt(timestamp),
  creator_user_ref: opt(ref('user-account')),
  number_of_subkeys: opt(count),
}

const x509Props = {
  is_self_signed: opt(boolean),
  hashes: opt(hashes),
  version: opt(string),
  serial_number: opt(string),
  signature_algorithm: opt(string),
  issuer: opt(string),
  validity_not_before: opt(timestamp),
  validity_not_after: opt(timestamp),
  subject: opt(string),
  subject_public_key_algorithm: opt(string),
  subject_public_key_modulus: opt(string),
  subject_public_key_exponent: opt(integer()),
  x509_v3_extensions: opt(
    object(
      {
        basic_constraints: opt(string),
        name_constraints: opt(string),
        policy_constraints: opt(string),
        key_usage: opt(string),
        extended_key_usage: opt(string),
        subject_key_identifier: opt(string),
        authority_key_identifier: opt(string),
        subject_alternative_name: opt(string),
        issuer_alternative_name: opt(string),
        subject_directory_attributes: opt(string),
        crl_distribution_points: opt(string),
        inhibit_any_policy: opt(string),
        private_key_usage_period_not_before: opt(timestamp),
        private_key_usage_period_not_after: opt(timestamp),
        certificate_policies: opt(string),
        policy_mappings: opt(string),
      },
      [
        atLeastOne(
          'basic_constraints',
          'name_constraints',
          'policy_constraints',
          'key_usage',
          'extended_key_usage',
          'subject_key_identifier',
          'authority_key_identifier',
          'subject_alternative_name',
          'issuer_alternative_name',
          'subject_directory_attributes',
          'crl_distribution_points',
          'inhibit_any_policy',
          'private_key_usage_period_not_before',
          'private_key_usage_period_not_after',
          'certificate_policies',
          'policy_mappings',
        ),
      ],
    ),
  ),
}

export const SCO_TYPES: readonly TypeSpec[] = [
  defineType(
    'sco',
    'artifact',
    {
      mime_type: opt(string),
      payload_bin: opt(binary),
      url: opt(url),
      hashes: opt(hashes),
      encryption_algorithm: opt(closed('encryption-algorithm-enum', V.ENCRYPTION_ALGORITHM_ENUM)),
      decryption_key: opt(string),
    },
    {
      constraints: [
        atLeastOne('payload_bin', 'url'),
        exclusive('payload_bin', 'url'),
        requires('url', 'hashes'),
        requires('decryption_key', 'encryption_algorithm'),
      ],
    },
  ),
  defineType('sco', 'autonomous-system', { number: req(integer()), name: opt(string), rir: opt(string) }),
  defineType('sco', 'directory', {
    path: req(string),
    path_enc: opt(charset),
    ctime: opt(timestamp),
    mtime: opt(timestamp),
    atime: opt(timestamp),
    contains_refs: opt(refs('file', 'directory')),
  }),
  defineType('sco', 'domain-name', {
    value: req(string),
    resolves_to_refs: opt(refs('ipv4-addr', 'ipv6-addr', 'domain-name')),
  }),
  defineType('sco', 'email-addr', {
    value: req(formatted('email-address', F.isEmailValue)),
    display_name: opt(string),
    belongs_to_ref: opt(ref('user-account')),
  }),
  defineType(
    'sco',
    'email-message',
    {
      is_multipart: req(boolean),
      date: opt(timestamp),
      content_type: opt(string),
      from_ref: opt(ref('email-addr')),
      sender_ref: opt(ref('email-addr')),
      to_refs: opt(refs('email-addr')),
      cc_refs: opt(refs('email-addr')),
      bcc_refs: opt(refs('email-addr')),
      message_id: opt(string),
      subject: opt(string),
      received_lines: opt(strings),
      additional_header_fields: opt(dictionary(oneOf(string, strings))),
      body: opt(string),
      body_multipart: opt(
        list(
          object(
            {
              body: opt(string),
              body_raw_ref: opt(ref('artifact', 'file')),
              content_type: opt(string),
              content_disposition: opt(string),
            },
            [atLeastOne('body', 'body_raw_ref'), exclusive('body', 'body_raw_ref')],
          ),
        ),
      ),
      raw_email_ref: opt(ref('artifact')),
    },
    {
      constraints: [
        {
          kind: 'check',
          check(obj, path, sink) {
            if (obj.is_multipart === true && obj.body !== undefined) {
              report(
                sink,
                `${path}.body`,
                'mutually-exclusive-properties',
                'a multipart message carries body_multipart, not body',
              )
            }
            if (obj.is_multipart === false && obj.body_multipart !== undefined) {
              report(
                sink,
                `${path}.body_multipart`,
                'mutually-exclusive-properties',
                'body_multipart requires is_multipart: true',
              )
            }
          },
        },
      ],
    },
  ),
  defineType(
    'sco',
    'file',
    {
      hashes: opt(hashes),
      size: opt(count),
      name: opt(string),
      name_enc: opt(charset),
      magic_number_hex: opt(hex),
      mime_type: opt(string),
      ctime: opt(timestamp),
      mtime: opt(timestamp),
      atime: opt(timestamp),
      parent_directory_ref: opt(ref('directory')),
      contains_refs: opt(list(refTo('sco'))),
      content_ref: opt(ref('artifact')),
    },
    { constraints: [atLeastOne('hashes', 'name')], extensions: fileExtensions },
  ),
  defineType('sco', 'ipv4-addr', { value: req(formatted('ipv4-address', F.isIpv4Value)), ...ipRefs }),
  defineType('sco', 'ipv6-addr', { value: req(formatted('ipv6-address', F.isIpv6Value)), ...ipRefs }),
  defineType('sco', 'mac-addr', { value: req(formatted('mac-address', F.isMacValue)) }),
  defineType('sco', 'mutex', { name: req(string) }),
  defineType(
    'sco',
    'network-traffic',
    {
      start: opt(timestamp),
      end: opt(timestamp),
      is_active: opt(boolean),
      src_ref: opt(ref('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name')),
      dst_ref: opt(ref('ipv4-addr', 'ipv6-addr', 'mac-addr', 'domain-name')),
      src_port: opt(integer(0, 65535)),
      dst_port: opt(integer(0, 65535)),
      protocols: req(strings),
      src_byte_count: opt(count),
      dst_byte_count: opt(count),
      src_packets: opt(count),
      dst_packets: opt(count),
      ipfix: opt(dictionary(oneOf(string, integer()))),
      src_payload_ref: opt(ref('artifact')),
      dst_payload_ref: opt(ref('artifact')),
      encapsulates_refs: opt(refs('network-traffic')),
      encapsulated_by_ref: opt(ref('network-traffic')),
    },
    {
      constraints: [
        atLeastOne('src_ref', 'dst_ref'),
        order('start', 'end'),
        {
          kind: 'check',
          check(obj, path, sink) {
            if (obj.is_active === true && obj.end !== undefined) {
              report(
                sink,
                `${path}.end`,
                'mutually-exclusive-properties',
                'active traffic (is_active: true) has no end',
              )
            }
          },
        },
      ],
      extensions: networkTrafficExtensions,
    },
  ),
  defineType('sco', 'process', processProps, {
    constraints: [atLeastOne('extensions', ...Object.keys(processProps))],
    extensions: processExtensions,
  }),
  defineType('sco', 'software', {
    name: req(string),
    cpe: opt(string),
    languages: opt(strings),
    vendor: opt(string),
    version: opt(string),
    swid: opt(string),
  }),
  defineType('sco', 'url', { value: req(url) }),
  defineType('sco', 'user-account', userAccountProps, {
    constraints: [atLeastOne('extensions', ...Object.keys(userAccountProps))],
    extensions: userAccountExtensions,
  }),
  defineType('sco', 'windows-registry-key', registryProps, {
    constraints: [atLeastOne(...Object.keys(registryProps))],
  }),
  defineType('sco', 'x509-certificate', x509Props, { constraints: [atLeastOne(...Object.keys(x509Props))] }),
]
