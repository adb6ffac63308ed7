/*
 * Shared by the TelAPI nodes' editor dialogs (Node-RED serves a module's resources/ folder at
 * resources/<module>/). The rules themselves come from the runtime through node settings
 * (RED.settings.telapiRecordRules, telapiCallbackRules, telapiAccountRules); what is here are the
 * algorithms of src/telapi/public-url.ts and isHttpUrl, on the browser's WHATWG URL as the runtime
 * runs them on Node's.
 */
(function () {
    'use strict';
    if (window.telapiEditor) { return; }

    function rules(name) { return RED.settings[name]; }

    function parse(value) {
        try { return new URL(String(value || '').trim()); } catch (e) { return null; }
    }

    /** src/telapi/recording.ts isHttpUrl */
    function isHttpUrl(value) {
        var url = parse(value);
        return !!url && rules('telapiAccountRules').urlProtocols.indexOf(url.protocol) !== -1 && url.hostname !== '';
    }

    /** src/telapi/public-url.ts canonicalPublicUrl: null where the runtime has undefined. */
    function canonicalPublicUrl(value) {
        if (!String(value || '').trim() || !isHttpUrl(value)) { return null; }
        var url = parse(value);
        return url.protocol + '//' + url.host + url.pathname.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
    }

    /** src/telapi/public-url.ts canonicalCallbackUrl */
    function callbackUrl(publicUrl, path) {
        var base = canonicalPublicUrl(publicUrl);
        if (base === null) { return null; }
        return base + ('/' + String(path).replace(/^\/+/, ''));
    }

    /** src/telapi/public-url.ts publicUrlHasNodeRoot, with this runtime's httpNodeRoot. */
    function hasNodeRoot(publicUrl) {
        var base = canonicalPublicUrl(publicUrl);
        if (base === null) { return true; }
        var path = parse(base).pathname.replace(/\/+$/, '').toLowerCase();
        var root = String(RED.settings.httpNodeRoot || '/').replace(/\/{2,}/g, '/').replace(/\/+$/, '').toLowerCase();
        if (!root) { return true; }
        if (root.charAt(0) !== '/') { root = '/' + root; }
        return path === root || path.slice(-root.length) === root;
    }

    /** src/nodes/shared/paths.ts normaliseNodePath: null where the runtime has undefined. */
    function normaliseCallbackPath(value) {
        var path = typeof value === 'string' ? value.trim() : '';
        if (!path) { return null; }
        if (path.charAt(0) !== '/') { path = '/' + path; }
        if (path === '/') { return path; }
        var segment = new RegExp(rules('telapiCallbackRules').pathSegment);
        var segments = path.slice(1).replace(/\/$/, '').split('/');
        for (var i = 0; i < segments.length; i++) {
            if (!segment.test(segments[i]) || segments[i] === '.' || segments[i] === '..') { return null; }
        }
        return path;
    }

    /** "Use this editor's address": the origin the browser sees, with httpNodeRoot. */
    function editorAddress() {
        var root = String(RED.settings.httpNodeRoot || '/');
        return canonicalPublicUrl(window.location.origin + (root.charAt(0) === '/' ? root : '/' + root));
    }

    window.telapiEditor = {
        rules: rules,
        isHttpUrl: isHttpUrl,
        canonicalPublicUrl: canonicalPublicUrl,
        callbackUrl: callbackUrl,
        hasNodeRoot: hasNodeRoot,
        normaliseCallbackPath: normaliseCallbackPath,
        editorAddress: editorAddress
    };
})();
