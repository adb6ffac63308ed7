import {
  CALLBACK_SECURITY_MODES,
  CALLBACK_TOKEN_LENGTH,
  CALLBACK_TOKEN_PARAM,
  DEFAULT_FALLBACK,
  DEFAULT_VOICE_TIMEOUT_SECONDS,
  MAX_VOICE_TIMEOUT_SECONDS,
  FILE_FORMATS,
  MAX_URL_LENGTH,
  RECORD_ACTIONS,
  RECORD_DIRECTIONS,
  TRANSCRIBE_QUALITIES,
  sidPattern,
} from '../../telapi';
import { PATH_SEGMENT } from './paths';

/*
 * The runtime's rules as the editor reads them (RED.settings.telapiRecordRules and friends, exported
 * through each type's node settings), so that the dialogs cannot drift from what the runtime checks.
 */

/** What isHttpUrl accepts (src/telapi/recording.ts): a WHATWG URL with one of these schemes and a host. */
const URL_PROTOCOLS = ['http:', 'https:'];

export function recordRules(): Record<string, unknown> {
  return {
    urlLimit: MAX_URL_LENGTH,
    tokenParam: CALLBACK_TOKEN_PARAM,
    tokenLength: CALLBACK_TOKEN_LENGTH,
    actions: [...RECORD_ACTIONS],
    directions: [...RECORD_DIRECTIONS],
    fileFormats: [...FILE_FORMATS],
    transcribeQualities: [...TRANSCRIBE_QUALITIES],
    urlProtocols: URL_PROTOCOLS,
  };
}

export function callbackRules(settings: Record<string, unknown>): Record<string, unknown> {
  return {
    pathSegment: PATH_SEGMENT.source,
    securityModes: [...CALLBACK_SECURITY_MODES],
    httpNodeAuth: !!settings.httpNodeAuth,
  };
}

export function accountRules(settings: Record<string, unknown>): Record<string, unknown> {
  return {
    accountSid: sidPattern('AC'),
    urlProtocols: URL_PROTOCOLS,
    httpNodeAuth: !!settings.httpNodeAuth,
  };
}

/** The voice node's dialog: the callback node's path rule and modes, and its own timeout and fallback. */
export function voiceRules(settings: Record<string, unknown>): Record<string, unknown> {
  return {
    ...callbackRules(settings),
    defaultTimeout: DEFAULT_VOICE_TIMEOUT_SECONDS,
    maxTimeout: MAX_VOICE_TIMEOUT_SECONDS,
    defaultFallback: DEFAULT_FALLBACK,
  };
}
