/**
 * Every error the simulator answers with, in one table. Only 10004 is confirmed TelAPI data
 * (docs/telapi-api.md); the other codes are the simulator's own, chosen so that the first digits group
 * them (10xxx request/auth, 13xxx calls, 14xxx recordings, 15xxx transcriptions) and easy to change.
 */
export const API_ERRORS = {
  invalidCredentials: { status: 401, code: 10004, message: 'Invalid credentials supplied' },
  accountMismatch: { status: 403, code: 10003, message: 'The credentials supplied do not grant access to this account' },
  phoneForbidden: { status: 403, code: 10006, message: 'The phone page’s session does not allow this request' },
  missingParameter: { status: 400, code: 10100, message: 'A required parameter is missing' },
  invalidParameter: { status: 400, code: 10101, message: 'A parameter has an invalid value' },
  urlTooLong: { status: 400, code: 10102, message: 'A URL parameter is longer than 200 characters' },
  resourceNotFound: { status: 404, code: 10404, message: 'The requested resource was not found' },
  methodNotAllowed: { status: 405, code: 10405, message: 'Method not allowed on this resource' },
  bodyTooLarge: { status: 413, code: 10413, message: 'The request body is too large' },
  tooManyRequests: { status: 429, code: 10429, message: 'Too many requests' },
  internalError: { status: 500, code: 10500, message: 'Internal server error' },
  serviceUnavailable: { status: 503, code: 10503, message: 'Service temporarily unavailable' },
  callNotFound: { status: 404, code: 13404, message: 'The requested call was not found' },
  callNotInProgress: { status: 400, code: 13400, message: 'The call is not in progress' },
  callNotRinging: { status: 400, code: 13401, message: 'The call is not an outbound call that rings' },
  recordingNotFound: { status: 404, code: 14404, message: 'The requested recording was not found' },
  recordingLimitReached: { status: 400, code: 14001, message: 'A call can have at most 5 recordings' },
  recordingInProgress: { status: 400, code: 14002, message: 'A recording is already in progress on this call' },
  noRecordingToStop: { status: 400, code: 14003, message: 'The call has no recording to stop' },
  transcriptionNotFound: { status: 404, code: 15404, message: 'The requested transcription was not found' },
  recordingNotComplete: { status: 400, code: 15001, message: 'The recording is still in progress; transcribe it once it has ended' },
} as const satisfies Record<string, { status: number; code: number; message: string }>;

export type ApiErrorName = keyof typeof API_ERRORS;

/** TelAPI's flat error JSON. */
export interface ApiErrorBody {
  status: number;
  message: string;
  code: number;
  more_info: string;
}

export function moreInfoUrl(code: number): string {
  return `http://www.telapi.com/docs/api/rest/overview/errors/${code}`;
}

/** A request the simulator refuses; the router turns it into the error JSON. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number;

  constructor(name: ApiErrorName, detail?: string) {
    const entry = API_ERRORS[name];
    super(detail ?? entry.message);
    this.name = 'ApiError';
    this.status = entry.status;
    this.code = entry.code;
  }

  toBody(): ApiErrorBody {
    return { status: this.status, message: this.message, code: this.code, more_info: moreInfoUrl(this.code) };
  }
}
