'use strict';
// Credentials and SIDs shared by the tests (the test vectors of telapi-api.md).
module.exports = {
  ACCOUNT_SID: 'AC0123456789abcdef0123456789abcdef',
  AUTH_TOKEN: '0123456789abcdef0123456789abcdef',
  CALL_SID: 'CAfedcba9876543210fedcba9876543210',
  OTHER_CALL_SID: 'CA00000000000000000000000000000001',
  /** base64url(HMAC-SHA256(AUTH_TOKEN, CALL_SID)) */
  CALL_TOKEN: 'lH1cocmta68NiCT7szjVHL65UuysGxa2yGQEZU53smk',
  basicAuth: (sid, token) => 'Basic ' + Buffer.from(`${sid}:${token}`).toString('base64'),
};
