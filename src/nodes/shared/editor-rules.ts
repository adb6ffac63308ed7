import {
  CALLBACK_SECURITY_MODES,
  CALLBACK_TOKEN_LENGTH,
  CALLBACK_TOKEN_PARAM,
  DEFAULT_CALLBACK_SECURITY,
  DEFAULT_CALL_OPTIONS,
  DEFAULT_FALLBACK,
  DEFAULT_RECORDING_OPTIONS,
  DEFAULT_RECORDINGS_OPTIONS,
  CONTROL_CHARACTER,
  DEFAULT_VOICE_TIMEOUT_SECONDS,
  DOT_SEGMENT,
  MAX_VOICE_TIMEOUT_SECONDS,
  FILE_FORMATS,
  MAX_ADDRESS_LENGTH,
  MAX_CALL_TIMEOUT,
  INBOUNDXML_RESPONSE_ATTRIBUTES,
  INBOUNDXML_VERBS,
  MAX_DOWNLOAD_BYTES,
  MAX_RECORDINGS_LIMIT,
  MAX_URL_LENGTH,
  PATH_KEY_PARAM,
  PLACEHOLDER,
  RECORD_ACTIONS,
  RECORD_DIRECTIONS,
  RECORDINGS_OPERATIONS,
  TOP_LEVEL_VERBS,
  TRANSCRIBE_QUALITIES,
  endsRecording,
  localOnlyRules,
  VERB_PROPERTIES,
  sidPattern,
  type InboundXmlService,
} from '../../telapi';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_SECONDS } from './account';
import { PATH_SEGMENT } from './paths';
import { ADMIN_POST_PATHS } from './routes';

/*
 * The runtime's rules as the editor reads them (RED.settings.telapiRecordRules and friends, exported
 * through each type's node settings), so that the dialogs cannot drift from what the runtime checks:
 * each dialog takes its defaults, option lists and limits from here (resources/telapi-editor.js).
 * Node-RED loads the settings before the node definitions, so they are there when a dialog's
 * registerType builds its `defaults`.
 */

/** What isHttpUrl accepts (src/telapi/public-url.ts): a WHATWG URL with one of these schemes and a host. */
const URL_PROTOCOLS = ['http:', 'https:'];

/** A whole number's range, as src/telapi/options.ts checks it (decimal digits only, a safe integer). */
interface Range {
  min: number;
  max: number;
}

export function recordRules(): Record<string, unknown> {
  return {
    defaults: { ...DEFAULT_RECORDING_OPTIONS },
    urlLimit: MAX_URL_LENGTH,
    tokenParam: CALLBACK_TOKEN_PARAM,
    tokenLength: CALLBACK_TOKEN_LENGTH,
    actions: [...RECORD_ACTIONS],
    // The actions that send Record=false: only Record is sent, the recording options do not apply.
    endingActions: RECORD_ACTIONS.filter(endsRecording),
    directions: [...RECORD_DIRECTIONS],
    fileFormats: [...FILE_FORMATS],
    transcribeQualities: [...TRANSCRIBE_QUALITIES],
    // positiveInteger (src/telapi/options.ts): any safe integer above 0.
    timeLimit: { min: 1, max: Number.MAX_SAFE_INTEGER } satisfies Range,
    urlProtocols: URL_PROTOCOLS,
  };
}

export function recordingsRules(): Record<string, unknown> {
  return {
    // Also the per-message keys (callSid, dateFrom, dateTo): the dialog takes the ones it has fields for.
    defaults: { ...DEFAULT_RECORDINGS_OPTIONS, folder: '' },
    operations: [...RECORDINGS_OPERATIONS],
    transcribeQualities: [...TRANSCRIBE_QUALITIES],
    // parseRecordingsOptions (src/telapi/recordings.ts): integerIn(…, 1, max).
    maxRecordings: { min: 1, max: MAX_RECORDINGS_LIMIT } satisfies Range,
    maxBytes: { min: 1, max: MAX_DOWNLOAD_BYTES } satisfies Range,
  };
}

/** Where Node-RED mounts an app for a root setting (red.js formatRoot), as Express's app.path() gives it without the trailing "/". */
function mountOf(root: unknown): string {
  let path = typeof root === 'string' && root !== '' ? root : '/';
  if (!path.startsWith('/')) path = `/${path}`;
  return path.replace(/\/+$/, '');
}

/**
 * The paths of Node-RED's own admin API that would answer a receiving node's requests first
 * (routes.ts adminOwnsPath): the mount points of both apps and the admin POST paths, null when the
 * admin API is off. Routes other nodes add to the admin API are not known here; the runtime names
 * those at deploy.
 */
function adminPathRule(settings: Record<string, unknown>): { adminRoot: string; nodeRoot: string; patterns: Array<[string, string]> } | null {
  if (settings.httpAdminRoot === false) return null;
  return {
    adminRoot: mountOf(settings.httpAdminRoot),
    nodeRoot: mountOf(settings.httpNodeRoot),
    patterns: ADMIN_POST_PATHS.map((pattern) => [pattern.source, pattern.flags]),
  };
}

export function callbackRules(settings: Record<string, unknown>): Record<string, unknown> {
  return {
    defaults: { security: DEFAULT_CALLBACK_SECURITY },
    tokenParam: CALLBACK_TOKEN_PARAM,
    pathSegment: PATH_SEGMENT.source,
    adminPaths: adminPathRule(settings),
    securityModes: [...CALLBACK_SECURITY_MODES],
    httpNodeAuth: !!settings.httpNodeAuth,
  };
}

/** A regular expression as the editor rebuilds it: new RegExp(source, flags). */
function regExpRule(pattern: RegExp): { source: string; flags: string } {
  return { source: pattern.source, flags: pattern.flags };
}

export function accountRules(settings: Record<string, unknown>): Record<string, unknown> {
  return {
    defaults: { baseUrl: DEFAULT_BASE_URL, timeout: DEFAULT_TIMEOUT_SECONDS },
    accountSid: sidPattern('AC'),
    urlProtocols: URL_PROTOCOLS,
    // What a `/path` URL must not have (isUnsafePath in src/telapi/public-url.ts).
    dotSegment: regExpRule(DOT_SEGMENT),
    controlCharacter: regExpRule(CONTROL_CHARACTER),
    httpNodeAuth: !!settings.httpNodeAuth,
    // What isLocalOnlyHost (src/telapi/addresses.ts) judges a host by: privatePublicHost in the dialog.
    localOnly: localOnlyRules(),
    // "Use this editor's address" keeps what a proxy puts before it (null: no admin API, no editor).
    adminRoot: settings.httpAdminRoot === false ? null : mountOf(settings.httpAdminRoot),
  };
}

/**
 * The voice node's dialog: the callback node's path rule, admin paths and modes, its own defaults,
 * the timeout's range (voiceTimeoutSeconds in src/telapi/voice-request.ts) and the key's parameter.
 */
export function voiceRules(settings: Record<string, unknown>): Record<string, unknown> {
  return {
    ...callbackRules(settings),
    defaults: { security: DEFAULT_CALLBACK_SECURITY, timeout: DEFAULT_VOICE_TIMEOUT_SECONDS, fallback: DEFAULT_FALLBACK },
    timeout: { min: 1, max: MAX_VOICE_TIMEOUT_SECONDS } satisfies Range,
    keyParam: PATH_KEY_PARAM,
  };
}

/**
 * The InboundXML node's dialog: the verb table (kinds, defaults, help of each verb and attribute),
 * the verbs `<Response>` may hold, the properties of a verb, the placeholder rule
 * (src/telapi/inboundxml/validate.ts and placeholders.ts check with the same), and the service whose
 * schema the node checks its verbs against at deploy.
 */
export function inboundxmlRules(checkService: InboundXmlService): Record<string, unknown> {
  return {
    defaults: { verbs: [] },
    checkService,
    verbs: INBOUNDXML_VERBS,
    topLevel: TOP_LEVEL_VERBS,
    responseAttributes: INBOUNDXML_RESPONSE_ATTRIBUTES,
    verbProperties: VERB_PROPERTIES,
    placeholder: PLACEHOLDER.source,
  };
}

/** The call node's dialog: its defaults and the ring time's limit. */
export function callRules(): Record<string, unknown> {
  return {
    defaults: { ...DEFAULT_CALL_OPTIONS },
    maxTimeout: MAX_CALL_TIMEOUT,
    maxAddressLength: MAX_ADDRESS_LENGTH,
    maxUrlLength: MAX_URL_LENGTH,
    pathKeyParam: PATH_KEY_PARAM,
  };
}
