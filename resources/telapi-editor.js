/*
 * Shared by the TelAPI nodes' editor dialogs (Node-RED serves a module's resources/ folder at
 * resources/<module>/). The rules themselves (defaults, option lists, limits) come from the runtime
 * through node settings (RED.settings.telapiRecordRules, telapiRecordingsRules, telapiCallbackRules,
 * telapiAccountRules: src/nodes/shared/editor-rules.ts); what is here are the algorithms of
 * src/telapi/public-url.ts and src/telapi/options.ts, on the browser's WHATWG URL as the runtime runs
 * them on Node's.
 */
(function () {
    'use strict';
    if (window.telapiEditor) { return; }

    function rules(name) { return RED.settings[name]; }

    function parse(value) {
        try { return new URL(String(value || '').trim()); } catch (e) { return null; }
    }

    /**
     * Whether a host holds a code point WHATWG forbids in a domain once percent-decoded. Node's URL
     * refuses such a URL; Chromium's takes it with the code point percent-encoded ("http://exa mple.com"
     * has the host "exa%20mple.com" there), so the editor asks itself what Node would.
     */
    function hasForbiddenHost(url) {
        if (/^\[.*\]$/.test(url.hostname)) { return false; }
        var host;
        try { host = decodeURIComponent(url.hostname); } catch (e) { return true; }
        return /[\u0000-\u0020#%\/:<>?@[\\\]^|\u007f]/.test(host);
    }

    /** src/telapi/public-url.ts isHttpUrl */
    function isHttpUrl(value) {
        var url = parse(value);
        return !!url && rules('telapiAccountRules').urlProtocols.indexOf(url.protocol) !== -1 && url.hostname !== '' && !hasForbiddenHost(url);
    }

    /** src/telapi/options.ts urlOrPath: empty, a path beginning with "/", or an absolute http(s) URL. */
    function isUrlOrPath(value) {
        var text = String(value || '').trim();
        return text === '' || text.charAt(0) === '/' || isHttpUrl(text);
    }

    /** src/telapi/options.ts wholeNumber: a safe integer, or text of decimal digits only ("0x10", "1e3" and " " are not numbers). */
    function wholeNumber(value) {
        if (typeof value === 'number') { return Number.isSafeInteger(value) ? value : null; }
        if (typeof value === 'string' && /^\s*\d{1,16}\s*$/.test(value)) {
            var number = Number(value);
            return Number.isSafeInteger(number) ? number : null;
        }
        return null;
    }

    /** src/telapi/options.ts integerIn, on a range the runtime exports: { min, max }. */
    function isWholeNumberIn(value, range) {
        var number = wholeNumber(value);
        return number !== null && number >= range.min && number <= range.max;
    }

    /** A ${ENV_VAR} value, which Node-RED replaces before the runtime reads it. */
    function isEnvVar(value) {
        return /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(String(value === undefined || value === null ? '' : value).trim());
    }

    /**
     * Fills a dialog's <select> with the runtime's values, the default first and the others in the
     * runtime's order, each labelled by `label(value)`, and selects `value` (the default when unset).
     */
    function fillSelect($select, values, defaultValue, value, label) {
        $select.empty();
        [defaultValue].concat(values.filter(function (v) { return v !== defaultValue; })).forEach(function (v) {
            $('<option>').val(v).text(label(v)).appendTo($select);
        });
        $select.val(value === undefined || value === null || value === '' ? defaultValue : value);
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
        isUrlOrPath: isUrlOrPath,
        isWholeNumberIn: isWholeNumberIn,
        isEnvVar: isEnvVar,
        fillSelect: fillSelect,
        canonicalPublicUrl: canonicalPublicUrl,
        callbackUrl: callbackUrl,
        hasNodeRoot: hasNodeRoot,
        normaliseCallbackPath: normaliseCallbackPath,
        editorAddress: editorAddress
    };
})();
