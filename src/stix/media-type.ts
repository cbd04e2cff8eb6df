/** The STIX 2.1 media type, as collections advertise it. */
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1'
