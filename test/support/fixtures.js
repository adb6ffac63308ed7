'use strict';
// Credentials and SIDs shared by the tests (the test vectors of docs/telapi-api.md).
module.exports = {
  ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
  CALL_SID: 'CAfedcba9876543210fedcba9876543210',
  OTHER_CALL_SID: 'CA00000000000000000000000000000001',
  /** base64url(HMAC-SHA256(AUTH_TOKEN, CALL_SID)) */
  CALL_TOKEN: 'lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk',
  /** base64url(HMAC-SHA256(AUTH_TOKEN, "path:" + path)): the path key vectors. */
  VOICE_PATH: '/telapi/voice',
  VOICE_PATH_KEY: '9zQ3tm__LgdQEzLLn2f8B5dYfCvT1YRgZ96SPvcsFu4',
  STATUS_PATH: '/telapi/status',
  STATUS_PATH_KEY: 'XjSdsBk56MOUn8xL9HUHJzbc8zDAx4eVdlrCZ8uzfZE',
  /** The X-TelAPI-Signature vector: AUTH_TOKEN over SIGNED_URL and SIGNED_PARAMS gives SIGNATURE. */
  SIGNED_URL: 'https://nr.example.com/telapi/recording',
  SIGNED_PARAMS: Object.freeze({
    AccountSid: 'AC0123456789abcdef0123456789abcdef',
    CallSid: 'CAfedcba9876543210fedcba9876543210',
    Digits: '12#',
    RecordingDuration: '7',
    RecordingUrl: 'https://api.telapi.com/v1/Accounts/AC0123456789abcdef0123456789abcdef/Recordings/RE00112233445566778899aabbccddeeff.mp3',
  }),
  SIGNATURE: 'odratxRXx08/YUeetD3oQH1Bz1E=',
  basicAuth: (sid, token) => 'Basic ' + Buffer.from(`${sid}:${token}`).toString('base64'),
};
