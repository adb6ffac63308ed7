'use strict';
// The requests the load generator sends (bench/load.js), for the timed and the counted runs alike:
// a JSON body naming a CallSid for the record paths, TelAPI's recording callback form for the
// callback paths (12 parameters, a valid token or signature, the stand-in's 64 CallSids).
const { callbackToken, computeSignature } = require('../dist/telapi');

/**
 * @param {{ url: string, accountSid: string, authToken: string, callSids: string[] }} stand the TelAPI stand-in
 * @param {string} publicUrl the Node-RED's URL: the signature mode signs over it
 */
function benchRequests(stand, publicUrl) {
  const recordBodies = stand.callSids.map((callSid) => JSON.stringify({ callSid }));
  const callbacks = stand.callSids.map((callSid, index) => {
    const params = {
      AccountSid: stand.accountSid, ApiVersion: 'v1', Direction: 'outbound-api', CallerName: '', To: '+15550100002',
      From: '+15550100100', CallSid: callSid, CallStatus: 'in-progress', Digits: '', RecordingDuration: String(5 + (index % 50)),
      RecordingUrl: `${stand.url}/recordings/${stand.accountSid}/RE${String(index).padStart(32, '0')}.mp3`,
      RecordingSid: `RE${String(index).padStart(32, '0')}`,
    };
    return {
      body: new URLSearchParams(params).toString(),
      query: `?token=${callbackToken(stand.authToken, callSid)}`,
      signature: computeSignature(stand.authToken, `${publicUrl}/cb/sig`, params),
    };
  });
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  return {
    recordRequest: (index) => ({ body: recordBodies[index % recordBodies.length], headers: { 'content-type': 'application/json' } }),
    /** `token` (/cb/token), `signature` (/cb/sig) or `httpIn` (/cb/httpin, the token in its query too). */
    callbackRequest: (variant) => (index) => {
      const cb = callbacks[index % callbacks.length];
      if (variant === 'token') return { path: `/cb/token${cb.query}`, body: cb.body, headers: form };
      if (variant === 'signature') return { path: '/cb/sig', body: cb.body, headers: { ...form, 'x-telapi-signature': cb.signature } };
      return { path: `/cb/httpin${cb.query}`, body: cb.body, headers: form };
    },
  };
}

module.exports = { benchRequests };
