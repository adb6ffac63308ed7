import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiVersion } from './constants';
import type { RequestParams } from './http-util';

/** One authenticated API request, below `/{prefix}/Accounts/{AccountSid}`. */
export interface ApiContext {
  request: IncomingMessage;
  response: ServerResponse;
  version: ApiVersion;
  accountSid: string;
  params: RequestParams;
  path: string;
  query: URLSearchParams;
}

