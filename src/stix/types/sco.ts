/** STIX Cyber-observable Objects (§6). Extension bodies are typed loosely (Dictionary). */
import type * as V from '../vocabularies.js'
import type { OpenVocab } from '../vocabularies.js'
import type { Dictionary, Hashes, Identifier, ObservableCommon, Timestamp } from './common.js'

export interface Artifact extends ObservableCommon<'artifact'> {
  mime_type?: string
  payload_bin?: string
  url?: string
  hashes?: Hashes
  encryption_algorithm?: (typeof V.ENCRYPTION_ALGORITHM_ENUM)[number]
  decryption_key?: string
}
export interface AutonomousSystem extends ObservableCommon<'autonomous-system'> {
  number: number
  name?: string
  rir?: string
}
export interface Directory extends ObservableCommon<'directory'> {
  path: string
  path_enc?: string
  ctime?: Timestamp
  mtime?: Timestamp
  atime?: Timestamp
  contains_refs?: Identifier<'file' | 'directory'>[]
}
export interface DomainName extends ObservableCommon<'domain-name'> {
  value: string
  resolves_to_refs?: Identifier<'ipv4-addr' | 'ipv6-addr' | 'domain-name'>[]
}
export interface EmailAddr extends ObservableCommon<'email-addr'> {
  value: string
  display_name?: string
  belongs_to_ref?: Identifier<'user-account'>
}
export interface EmailMimePart {
  body?: string
  body_raw_ref?: Identifier<'artifact' | 'file'>
  content_type?: string
  content_disposition?: string
}
export interface EmailMessage extends ObservableCommon<'email-message'> {
  is_multipart: boolean
  date?: Timestamp
  content_type?: string
  from_ref?: Identifier<'email-addr'>
  sender_ref?: Identifier<'email-addr'>
  to_refs?: Identifier<'email-addr'>[]
  cc_refs?: Identifier<'email-addr'>[]
  bcc_refs?: Identifier<'email-addr'>[]
  message_id?: string
  subject?: string
  received_lines?: string[]
  additional_header_fields?: Dictionary<string | string[]>
  body?: string
  body_multipart?: EmailMimePart[]
  raw_email_ref?: Identifier<'artifact'>
}
export interface File extends ObservableCommon<'file'> {
  hashes?: Hashes
  size?: number
  name?: string
  name_enc?: string
  magic_number_hex?: string
  mime_type?: string
  ctime?: Timestamp
  mtime?: Timestamp
  atime?: Timestamp
  parent_directory_ref?: Identifier<'directory'>
  contains_refs?: Identifier[]
  content_ref?: Identifier<'artifact'>
}
export interface Ipv4Addr extends ObservableCommon<'ipv4-addr'> {
  value: string
  resolves_to_refs?: Identifier<'mac-addr'>[]
  belongs_to_refs?: Identifier<'autonomous-system'>[]
}
export interface Ipv6Addr extends ObservableCommon<'ipv6-addr'> {
  value: string
  resolves_to_refs?: Identifier<'mac-addr'>[]
  belongs_to_refs?: Identifier<'autonomous-system'>[]
}
export interface MacAddr extends ObservableCommon<'mac-addr'> {
  value: string
}
export interface Mutex extends ObservableCommon<'mutex'> {
  name: string
}
export interface NetworkTraffic extends ObservableCommon<'network-traffic'> {
  start?: Timestamp
  end?: Timestamp
  is_active?: boolean
  src_ref?: Identifier<'ipv4-addr' | 'ipv6-addr' | 'mac-addr' | 'domain-name'>
  dst_ref?: Identifier<'ipv4-addr' | 'ipv6-addr' | 'mac-addr' | 'domain-name'>
  src_port?: number
  dst_port?: number
  protocols: string[]
  src_byte_count?: number
  dst_byte_count?: number
  src_packets?: number
  dst_packets?: number
  ipfix?: Dictionary<string | number>
  src_payload_ref?: Identifier<'artifact'>
  dst_payload_ref?: Identifier<'artifact'>
  encapsulates_refs?: Identifier<'network-traffic'>[]
  encapsulated_by_ref?: Identifier<'network-traffic'>
}
export interface Process extends ObservableCommon<'process'> {
  is_hidden?: boolean
  pid?: number
  created_time?: Timestamp
  cwd?: string
  command_line?: string
  environment_variables?: Dictionary<string>
  opened_connection_refs?: Identifier<'network-traffic'>[]
  creator_user_ref?: Identifier<'user-account'>
  image_ref?: Identifier<'file'>
  parent_ref?: Identifier<'process'>
  child_refs?: Identifier<'process'>[]
}
export interface Software extends ObservableCommon<'software'> {
  name: string
  cpe?: string
  languages?: string[]
  vendor?: string
  version?: string
  swid?: string
}
export interface Url extends ObservableCommon<'url'> {
  value: string
}
export interface UserAccount extends ObservableCommon<'user-account'> {
  user_id?: string
  credential?: string
  account_login?: string
  account_type?: OpenVocab<typeof V.ACCOUNT_TYPE_OV>
  display_name?: string
  is_service_account?: boolean
  is_privileged?: boolean
  can_escalate_privs?: boolean
  is_disabled?: boolean
  account_created?: Timestamp
  account_expires?: Timestamp
  credential_last_changed?: Timestamp
  account_first_login?: Timestamp
  account_last_login?: Timestamp
}
export interface WindowsRegistryValue {
  name?: string
  data?: string
  data_type?: (typeof V.WINDOWS_REGISTRY_DATATYPE_ENUM)[number]
}
export interface WindowsRegistryKey extends ObservableCommon<'windows-registry-key'> {
  key?: string
  values?: WindowsRegistryValue[]
  modified_time?: Timestamp
  creator_user_ref?: Identifier<'user-account'>
  number_of_subkeys?: number
}
export interface X509Certificate extends ObservableCommon<'x509-certificate'> {
  is_self_signed?: boolean
  hashes?: Hashes
  version?: string
  serial_number?: string
  signature_algorithm?: string
  issuer?: string
  validity_not_before?: Timestamp
  validity_not_after?: Timestamp
  subject?: string
  subject_public_key_algorithm?: string
  subject_public_key_modulus?: string
  subject_public_key_exponent?: number
  x509_v3_extensions?: Dictionary<string>
}

export type Observable =
  | Artifact
  | AutonomousSystem
  | Directory
  | DomainName
  | EmailAddr
  | EmailMessage
  | File
  | Ipv4Addr
  | Ipv6Addr
  | MacAddr
  | Mutex
  | NetworkTraffic
  | Process
  | Software
  | Url
  | UserAccount
  | WindowsRegistryKey
  | X509Certificate
