/**
 * The kinds of value an InboundXML attribute (or a verb's text) takes, as plain data: the verb table
 * (verbs.ts) is built from them, and the editor can be served that table as JSON.
 */

/**
 * What TelAPI does with a URL, which decides how a `/path` (a node of this Node-RED) is made
 * absolute (docs/design.md "Calls"):
 * - `call`: requested for the call being answered, with its CallSid (an `action`, a `Redirect`, a
 *   recording or status callback): the URL carries that call's per-call `token`;
 * - `leg`: may be requested with another call's CallSid (the dialled party's leg of a `Dial`): the
 *   URL carries the path `key` of its path, which admits any call of the account on that path;
 * - `media`: fetched as a file (audio, a grammar): no credential.
 * Where the documents leave it open which CallSid a request carries, the table says `leg`: a `call`
 * URL requested with another CallSid would be refused, a `leg` URL works either way.
 */
export type UrlUse = 'call' | 'leg' | 'media';

export type ValueSpec =
  | { kind: 'text' }
  /** Taken in any case and written as `values` spells it; an alias is taken for the value it names. */
  | { kind: 'enum'; values: readonly string[]; aliases?: Readonly<Record<string, string>> }
  | { kind: 'integer'; min: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'url'; use: UrlUse }
  /** DTMF keys: every character one of `keys` (e.g. "0123456789#*"). */
  | { kind: 'dtmf'; keys: string };

export type ValueKind = ValueSpec['kind'];

export type AttributeSpec = ValueSpec & {
  /** One line (en) for the editor. */
  help: string;
  /** What TelAPI assumes when the attribute is left out (documentation; never emitted). */
  default?: string;
  /** Zang's schema requires it (TelAPI v1 did not): on Zang a missing one is an error, or `fill`. */
  required?: boolean;
  /** Emitted on Zang when a required attribute is left unset. */
  fill?: string;
};

/** A verb's text content: what it says, plays, dials or requests. */
export type TextSpec = ValueSpec & { help: string; required: boolean };

export interface VerbSpec {
  /** One line (en) for the editor. */
  help: string;
  /** Whether the verb may stand directly in `<Response>` (Dial's nouns may not). */
  topLevel: boolean;
  /** A Zang verb that TelAPI v1 does not have. */
  zangOnly: boolean;
  text?: TextSpec;
  /** The verbs it may nest, in the editor's order. */
  children: readonly string[];
  /** Its attributes, in the order they are emitted. */
  attributes: Readonly<Record<string, AttributeSpec>>;
}

/** Say's languages (Zang's text-to-speech). */
export const SAY_LANGUAGES = ['en', 'en-gb', 'es', 'fr', 'it', 'de'] as const;

/** Gather's speech recognition languages (BCP 47 tags, as Zang spells them). */
export const SPEECH_LANGUAGES = [
  'af-ZA', 'am-ET', 'hy-AM', 'az-AZ', 'id-ID', 'ms-MY', 'bn-BD', 'bn-IN', 'ca-ES', 'cs-CZ', 'da-DK', 'de-DE', 'en-AU', 'en-CA',
  'en-GH', 'en-GB', 'en-IN', 'en-IE', 'en-KE', 'en-NZ', 'en-NG', 'en-PH', 'en-ZA', 'en-TZ', 'en-US', 'es-AR', 'es-BO', 'es-CL',
  'es-CO', 'es-CR', 'es-EC', 'es-SV', 'es-ES', 'es-US', 'es-GT', 'es-HN', 'es-MX', 'es-NI', 'es-PA', 'es-PY', 'es-PE', 'es-PR',
  'es-DO', 'es-UY', 'es-VE', 'eu-ES', 'il-PH', 'fr-CA', 'fr-FR', 'gl-ES', 'ka-GE', 'gu-IN', 'hr-HR', 'zu-ZA', 'is-IS', 'it-IT',
  'jv-ID', 'kn-IN', 'km-KH', 'lo-LA', 'lv-LV', 'lt-LT', 'hu-HU', 'ml-IN', 'mr-IN', 'nl-NL', 'ne-NP', 'nb-NO', 'pl-PL', 'pt-BR',
  'pt-PT', 'ro-RO', 'si-LK', 'sk-SK', 'sl-SI', 'su-ID', 'sw-TZ', 'sw-KE', 'fi-FI', 'sv-SE', 'ta-IN', 'ta-SG', 'ta-LK', 'ta-MY',
  'te-IN', 'vi-VN', 'tr-TR', 'ur-PK', 'ur-IN', 'el-GR', 'bg-BG', 'ru-RU', 'sr-RS', 'uk-UA', 'he-IL', 'ar-IL', 'ar-JO', 'ar-AE',
  'ar-BH', 'ar-DZ', 'ar-SA', 'ar-IQ', 'ar-KW', 'ar-MA', 'ar-TN', 'ar-OM', 'ar-PS', 'ar-QA', 'ar-LB', 'ar-EG', 'fa-IR', 'hi-IN',
  'th-TH', 'ko-KR', 'cmn-Hant-TW', 'yue-Hant-HK', 'ja-JP', 'cmn-Hans-HK', 'cmn-Hans-CN',
] as const;

/** Transcription qualities an InboundXML Record takes (Zang's and TelAPI v1's). */
export const RECORD_TRANSCRIBE_QUALITIES = ['auto', 'hybrid', 'keywords', 'subtitles', 'manual', 'silver', 'gold', 'platinum'] as const;
