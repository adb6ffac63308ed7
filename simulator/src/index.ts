export { createSimulator, startSimulator } from './start';
export {
  TelApiSimulator,
  type TelApiSimulatorOptions,
  type RecordedRequest,
  type ListeningAddress,
  type DeliveryMatch,
  type RecordingSeed,
  type MediaRequest,
} from './simulator';
export { TOKEN_PARAM, telapiSignature, urlToken, type CallbackMethod, type FileFormat, type RecordDirection, type TranscribeQuality } from './spec';
export {
  DEMO_ACCOUNT_SID,
  DEMO_AUTH_TOKEN,
  DEMO_ACCOUNT,
  DEMO_CALL_SIDS,
  DEMO_CALLS,
  API_VERSIONS,
  CALL_DIRECTIONS,
  MAX_RECORDINGS_PER_CALL,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  DEFAULT_PORT,
  DEFAULT_HOST,
  type ApiVersion,
  type CallDirection,
  type CallSpec,
  type SimulatorAccount,
} from './constants';
export { API_ERRORS, ApiError, type ApiErrorBody, type ApiErrorName } from './api-errors';
export { FAULT_MODES, type FaultMode, type FaultOptions, type FaultSettings, type InjectedFault } from './faults';
export { DEFAULT_CALLBACK_POLICY, type CallbackDelivery, type CallbackKind, type DeliveryAttempt, type DeliveryStatus } from './callbacks';
export { SILENT_LOGGER, consoleLogger, type LogLevel, type SimulatorLogger } from './logger';
export { WAV_SAMPLE_RATE, MP3_SAMPLE_RATE, MP3_BITRATE_KBPS, type AudioLibraryOptions } from './audio';
export { CallTranscripts, type CallEvent, type CallEventDetail, type CallEventMatch, type CallEventType, type RequestPurpose } from './call-events';
export type { PlaceCallSpec } from './call-runner';
export { CALLEE_BEHAVIORS, type CalleeBehavior } from './engine-verbs';
export { DEFAULT_PHONE_NUMBER, PHONE_SESSION_HEADER, type PhoneOptions } from './phone-page';
export { readInboundXml, VERB_DEFAULTS, type Verb } from './inboundxml';
export { InboundXmlError } from './xml-reader';
export type { MakeCallOptions } from './recording-params';
export { CALL_STATUSES, HANGUP_CAUSES, type FinalCallStatus, type HangupCause } from './model';
export type {
  SimulatedCall,
  SimulatedCallStatus,
  SimulatedRecording,
  RecordingStatus,
  RecordingEndReason,
  SimulatedTranscription,
  TranscriptionStatus,
} from './model';
