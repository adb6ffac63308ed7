import { maskUrlSecrets } from './redact';

/** What went wrong, machine-readable, so the node layer can translate it (the client has no i18n). */
/** Every TelApiErrorKind, e.g. for checking that each has a message in the node catalogs. */
export const TELAPI_ERROR_KINDS = ['http', 'timeout', 'unreachable', 'network', 'invalid-response', 'too-large', 'recording-limit', 'aborted', 'invalid-base-url'] as const;

export type TelApiErrorKind =
  | 'http' // TelAPI answered with a status > 399
  | 'timeout' // no complete answer within the request timeout; the request may have reached TelAPI
  | 'unreachable' // nothing reached TelAPI (connection refused, DNS failure)
  | 'network' // the connection broke after the request may have reached TelAPI
  | 'invalid-response' // a 2xx answer that is not the JSON TelAPI sends
  | 'too-large' // an answer larger than any TelAPI resource (MAX_ANSWER_BYTES); it was not read to the end
  | 'recording-limit' // TelAPI refused a recording of a call that has its most (MAX_RECORDINGS_PER_CALL)
  | 'aborted' // the caller cancelled the request (e.g. the node was closed)
  | 'invalid-base-url'; // the configured base URL cannot be requested; nothing was sent

export interface TelApiErrorDetails {
  kind: TelApiErrorKind;
  status?: number;
  code?: number;
  moreInfo?: string;
  /** TelAPI's own error text, e.g. "Invalid credentials supplied". */
  apiMessage?: string;
  /** Low-level cause code such as ECONNREFUSED; never contains credentials. */
  cause?: string;
  /** The call it was about, where that is what the error is about (recording-limit). */
  callSid?: string;
  attempts?: number;
}

/** A failed TelAPI request. Its message never contains the AuthToken or an Authorization header. */
export class TelApiError extends Error {
  readonly kind: TelApiErrorKind;
  readonly status: number | undefined;
  readonly code: number | undefined;
  readonly moreInfo: string | undefined;
  readonly apiMessage: string | undefined;
  readonly causeCode: string | undefined;
  readonly callSid: string | undefined;
  readonly attempts: number;

  constructor(message: string, details: TelApiErrorDetails) {
    super(message);
    this.name = 'TelApiError';
    this.kind = details.kind;
    this.status = details.status;
    this.code = details.code;
    this.moreInfo = details.moreInfo;
    this.apiMessage = details.apiMessage;
    this.causeCode = details.cause;
    this.callSid = details.callSid;
    this.attempts = details.attempts ?? 1;
  }

  static fromHttp(status: number, body: TelApiErrorBody | undefined, statusText: string, attempts = 1): TelApiError {
    const apiMessage = maskUrlSecrets(oneLine(body?.message ?? (statusText || 'HTTP error')));
    const codePart = body?.code !== undefined ? ` (code ${body.code})` : '';
    return new TelApiError(`TelAPI ${status}${codePart}: ${apiMessage}`, {
      kind: 'http',
      status,
      apiMessage,
      attempts,
      ...(body?.code !== undefined ? { code: body.code } : {}),
      ...(body?.moreInfo !== undefined ? { moreInfo: body.moreInfo } : {}),
    });
  }
}

/**
 * A text from the server as one line: control characters (CR LF would forge lines in Node-RED's
 * log; ESC drives a terminal) become spaces. Its length is bounded where it is shown, once the
 * account's secrets are masked in it (a cut first could leave half a secret).
 */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim() || 'HTTP error';
}

/** TelAPI's flat error JSON: {"status":401,"message":"…","code":10004,"more_info":"…"}. */
export interface TelApiErrorBody {
  message?: string;
  code?: number;
  moreInfo?: string;
}

export type InputErrorReason =
  | 'required'
  | 'sid'
  | 'enum'
  | 'integer'
  | 'boolean'
  | 'url'
  | 'url-too-long'
  | 'too-long'
  | 'relative-without-public-url'
  | 'type'
  | 'unknown-option'
  | 'range'
  | 'date'
  | 'file-name'
  // InboundXML (inboundxml/): a verb, attribute or nesting the verb table does not have, or a value.
  | 'unknown-verb'
  | 'unknown-attribute'
  | 'unknown-property'
  | 'nesting'
  | 'no-children'
  | 'no-text'
  | 'dtmf'
  | 'at-least'
  | 'service-verb';

/** Every InputErrorReason, e.g. for checking that each has a message in the node catalogs. */
export const INPUT_ERROR_REASONS = [
  'required', 'sid', 'enum', 'integer', 'boolean', 'url', 'url-too-long', 'too-long', 'relative-without-public-url', 'type', 'unknown-option',
  'range', 'date', 'file-name', 'unknown-verb', 'unknown-attribute', 'unknown-property', 'nesting', 'no-children', 'no-text', 'dtmf', 'at-least',
  'service-verb',
] as const satisfies readonly InputErrorReason[];

export type InputErrorParams = Record<string, string | number>;

const INPUT_ERROR_TEXT: Record<InputErrorReason, (p: InputErrorParams) => string> = {
  required: () => 'is required',
  sid: (p) => `must be "${p.prefix}" followed by 32 hex digits`,
  enum: (p) => `must be one of ${p.allowed}`,
  integer: (p) => `must be a whole number greater than 0, not ${p.value}`,
  boolean: () => 'must be true or false',
  url: () => 'must be an http(s) URL or a path starting with / (no . or .. segment, no control character)',
  'url-too-long': (p) => `is ${p.length} characters with its token; TelAPI accepts at most ${p.max}`,
  'too-long': (p) => `is ${p.length} characters; at most ${p.max}`,
  'relative-without-public-url': () => 'is a path, but the account has no public URL to put in front of it',
  type: (p) => `must be of type ${p.expected}`,
  'unknown-option': (p) => `is not a recording option; expected one of ${p.allowed}`,
  range: (p) => `must be a whole number from ${p.min} to ${p.max}, not ${p.value}`,
  date: () => 'must be a date YYYY-MM-DD',
  'file-name': (p) => `must be a file name within the folder ${p.folder}`,
  'unknown-verb': (p) => `is not an InboundXML verb; expected one of ${p.allowed}`,
  'unknown-attribute': (p) => `is not an attribute of <${p.verb}>; expected one of ${p.allowed}`,
  'unknown-property': (p) => `is not a property of a verb; expected one of ${p.allowed}`,
  nesting: (p) => `<${p.verb}> cannot stand in <${p.parent}>, which holds ${p.allowed}`,
  'no-children': (p) => `<${p.verb}> holds no other verbs`,
  'no-text': (p) => `<${p.verb}> takes no text`,
  dtmf: (p) => `may only hold the keys ${p.allowed}`,
  'at-least': (p) => `must be a whole number of at least ${p.min}`,
  'service-verb': (p) => `<${p.verb}> is a Zang verb, which TelAPI v1 does not have`,
};

// Both lists must name every member of their union type: a missing one is a compile error here.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : never;
const _kindsComplete: Missing<TelApiErrorKind, (typeof TELAPI_ERROR_KINDS)[number]> = true;
const _reasonsComplete: Missing<InputErrorReason, (typeof INPUT_ERROR_REASONS)[number]> = true;
void _kindsComplete;
void _reasonsComplete;

/** A value the caller supplied is invalid; raised before anything is sent. */
export class TelApiInputError extends Error {
  readonly field: string;
  readonly reason: InputErrorReason;
  readonly params: InputErrorParams;

  constructor(field: string, reason: InputErrorReason, params: InputErrorParams = {}) {
    super(`Invalid ${field}: ${INPUT_ERROR_TEXT[reason](params)}`);
    this.name = 'TelApiInputError';
    this.field = field;
    this.reason = reason;
    this.params = params;
  }
}
