/*
 * Shared by the TelAPI nodes' editor dialogs (Node-RED serves a module's resources/ folder at
 * resources/<module>/). The rules themselves (defaults, option lists, limits, the InboundXML verb
 * table) come from the runtime through node settings (RED.settings.telapiRecordRules,
 * telapiRecordingsRules, telapiCallbackRules, telapiAccountRules, telapiVoiceRules,
 * telapiInboundxmlRules: src/nodes/shared/editor-rules.ts); what is here are the algorithms of
 * src/telapi/public-url.ts, src/telapi/addresses.ts, src/telapi/options.ts, src/nodes/shared/paths.ts
 * and routes.ts, src/telapi/voice-request.ts and src/telapi/inboundxml/validate.ts, on the browser's
 * WHATWG URL as the runtime runs them on Node's.
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

    function ruleRegExp(rule) { return new RegExp(rule.source, rule.flags); }

    /** src/telapi/options.ts urlOrPath: empty, a path beginning with "/" (isUnsafePath: no dot segment or control character), or an absolute http(s) URL. */
    function isUrlOrPath(value) {
        var text = String(value || '').trim();
        if (text.charAt(0) === '/') {
            var account = rules('telapiAccountRules');
            return !ruleRegExp(account.controlCharacter).test(text) && !ruleRegExp(account.dotSegment).test(text.split(/[?#]/)[0]);
        }
        return text === '' || isHttpUrl(text);
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

    // src/telapi/addresses.ts isLocalOnlyHost, on its networks and suffixes (telapiAccountRules.localOnly).

    /** A dotted-quad IPv4 address (as WHATWG URL writes every IPv4 host) as a number, else null. */
    function ipv4Number(text) {
        var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
        if (!m) { return null; }
        var parts = m.slice(1).map(Number);
        if (parts.some(function (part) { return part > 255; })) { return null; }
        return ((parts[0] * 256 + parts[1]) * 256 + parts[2]) * 256 + parts[3];
    }

    /** An IPv6 address (compressed, or with a dotted-quad tail) as its eight 16-bit groups, else null. */
    function ipv6Groups(text) {
        var halves = text.split('::');
        if (halves.length > 2) { return null; }
        function groups(part) {
            if (part === '') { return []; }
            var items = part.split(':');
            var out = [];
            for (var i = 0; i < items.length; i++) {
                var quad = i === items.length - 1 ? ipv4Number(items[i]) : null;
                if (quad !== null) {
                    out.push(Math.floor(quad / 65536), quad % 65536);
                } else if (/^[0-9a-f]{1,4}$/i.test(items[i])) {
                    out.push(parseInt(items[i], 16));
                } else {
                    return null;
                }
            }
            return out;
        }
        var head = groups(halves[0]);
        var tail = halves.length === 2 ? groups(halves[1]) : [];
        if (!head || !tail) { return null; }
        var missing = 8 - head.length - tail.length;
        if (halves.length === 2 ? missing < 1 : missing !== 0) { return null; }
        return head.concat(new Array(missing).fill(0), tail);
    }

    /** Whether `number` (an IPv4 address) lies in [network, prefix length]. */
    function inIpv4Network(number, network) {
        var size = Math.pow(2, 32 - network[1]);
        return Math.floor(number / size) === Math.floor(ipv4Number(network[0]) / size);
    }

    /** Whether `groups` (an IPv6 address) lie in [network, prefix length]. */
    function inIpv6Network(groups, network) {
        var base = ipv6Groups(network[0]);
        for (var i = 0; i < 8; i++) {
            var bits = Math.min(16, Math.max(0, network[1] - 16 * i));
            if (bits === 0) { return true; }
            var size = Math.pow(2, 16 - bits);
            if (Math.floor(groups[i] / size) !== Math.floor(base[i] / size)) { return false; }
        }
        return true;
    }

    /** src/telapi/addresses.ts isLocalOnlyHost, for a URL's hostname. */
    function isLocalOnlyHost(hostname) {
        var local = rules('telapiAccountRules').localOnly;
        var name = String(hostname).toLowerCase().replace(/\.$/, '');
        function inIpv4(number) { return local.ipv4.some(function (network) { return inIpv4Network(number, network); }); }
        if (/^\[.*\]$/.test(name)) {
            var groups = ipv6Groups(name.slice(1, -1));
            if (!groups) { return false; }
            if (local.ipv6.some(function (network) { return inIpv6Network(groups, network); })) { return true; }
            // IPv4 behind the NAT64 prefix, and IPv4-mapped (::ffff:0:0/96, which Node's BlockList judges by its IPv4 networks).
            var embedded = inIpv6Network(groups, [local.nat64, 96]) || inIpv6Network(groups, ['::ffff:0:0', 96]);
            return embedded && inIpv4(groups[6] * 65536 + groups[7]);
        }
        var quad = ipv4Number(name);
        if (quad !== null) { return inIpv4(quad); }
        if (name.indexOf('.') === -1) { return true; }
        return local.suffixes.some(function (suffix) {
            return name === suffix.slice(1) || name.slice(-suffix.length) === suffix;
        });
    }

    /** src/telapi/public-url.ts privatePublicHost: null where the runtime has undefined. */
    function privatePublicHost(publicUrl, baseUrl) {
        if (!isHttpUrl(publicUrl) || !isHttpUrl(baseUrl)) { return null; }
        var host = parse(publicUrl).hostname;
        return isLocalOnlyHost(host) && !isLocalOnlyHost(parse(baseUrl).hostname) ? host : null;
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

    /** src/nodes/shared/routes.ts pathBelow: null where the runtime has undefined. */
    function pathBelow(pathname, prefix) {
        if (prefix === '') { return pathname; }
        var lower = pathname.toLowerCase();
        var lowerPrefix = prefix.toLowerCase();
        if (lower !== lowerPrefix && lower.indexOf(lowerPrefix + '/') !== 0) { return null; }
        return pathname.slice(prefix.length) || '/';
    }

    /** src/nodes/shared/routes.ts adminOwnsPath, for Node-RED's own admin paths (the rules' adminPaths). */
    function isAdminPath(path) {
        var admin = rules('telapiCallbackRules').adminPaths;
        if (!admin) { return false; }
        var relative = pathBelow(admin.nodeRoot + path, admin.adminRoot);
        return relative !== null && admin.patterns.some(function (pattern) { return new RegExp(pattern[0], pattern[1]).test(relative); });
    }

    /** The node types that listen on a path of their own; one path, one node (src/nodes/shared/routes.ts). */
    var RECEIVER_TYPES = ['telapi-callback', 'telapi-voice'];

    /** A path as Express's routing compares it by default (src/nodes/shared/express.ts routingKey). */
    function routingKey(path) {
        return (path.replace(/\/+$/, '') || '/').toLowerCase();
    }

    /**
     * What keeps `node` (a callback or voice node) from receiving at `value`, before deploy: null, or
     * { problem: 'badUrl' | 'adminUrl' } or { problem: 'duplicateUrl', node: the other node's label },
     * an enabled TelAPI callback or voice node of the workspace on the same path.
     */
    function receiverPathProblem(node, value) {
        var path = normaliseCallbackPath(value);
        if (path === null) { return { problem: 'badUrl' }; }
        if (isAdminPath(path)) { return { problem: 'adminUrl' }; }
        var other = null;
        RED.nodes.eachNode(function (candidate) {
            if (other || candidate.id === node.id || candidate.d || RECEIVER_TYPES.indexOf(candidate.type) === -1) { return; }
            var otherPath = normaliseCallbackPath(candidate.url);
            if (otherPath !== null && routingKey(otherPath) === routingKey(path)) { other = candidate; }
        });
        return other ? { problem: 'duplicateUrl', node: other.name || normaliseCallbackPath(other.url) } : null;
    }

    /**
     * The account node of `node`: the one chosen in its open dialog's account field when `inDialog`,
     * else the saved one; null for none or "add new".
     */
    function accountOf(node, inDialog) {
        var field = $('#node-input-account');
        var id = inDialog && field.length ? field.val() : node.account;
        return id && id !== '_ADD_' ? RED.nodes.node(id) : null;
    }

    /** src/telapi/public-url.ts signedElsewhere */
    function signedElsewhere(value, publicUrl, path) {
        var text = String(value || '').trim();
        if (text.charAt(0) === '/') { return false; }
        var absolute = canonicalPublicUrl(text);
        var root = canonicalPublicUrl(publicUrl);
        var suffix = String(path).replace(/\/+$/, '').toLowerCase();
        if (absolute === null || root === null || suffix === '') { return false; }
        if (absolute.toLowerCase().slice(-suffix.length) !== suffix) { return false; }
        return absolute.slice(0, absolute.length - suffix.length) !== root;
    }

    /**
     * The enabled node of `type` (a receiving type) for `account` in signature mode whose path the
     * absolute URL `value` names under another root than the public URL (signedElsewhere): what
     * TelAPI sends there is refused. { node: its label, path, expected: the URL it checks signatures
     * against }, or null.
     */
    function signatureNodeElsewhere(type, account, value) {
        if (!account) { return null; }
        var found = null;
        RED.nodes.eachNode(function (candidate) {
            if (found || candidate.d || candidate.type !== type || candidate.account !== account.id || candidate.security !== 'signature') { return; }
            var path = normaliseCallbackPath(candidate.url);
            if (path !== null && signedElsewhere(value, account.publicUrl, path)) {
                found = { node: candidate.name || path, path: path, expected: callbackUrl(account.publicUrl, path) };
            }
        });
        return found;
    }

    /**
     * The properties every receiving node type has (account, url, security), validated with the
     * type's `validation.*` texts on its rules (`rules`: telapiCallbackRules, telapiVoiceRules), and
     * the security mode a node has, or has in its open dialog.
     */
    function receiverProperties(type, rules) {
        function translate(key, params) { return RED.nodes.getType(type)._(type + '.' + key, params); }
        function security(node) {
            var field = $('#node-input-security');
            return (field.length ? field.val() : node.security) || rules.defaults.security;
        }
        return {
            security: security,
            /** The node's label: its name, else its path. */
            label: function () {
                return this.name || normaliseCallbackPath(this.url) || this.url || this._(type + '.paletteLabel');
            },
            // Validators take (v, opt): Node-RED shows a returned string as the reason.
            properties: {
                account: { value: '', type: 'telapi-account', validate: function (v, opt) {
                    if (security(this) === 'none') { return true; }
                    return (!!v && v !== '_ADD_' && !!RED.nodes.node(v)) || translate('validation.account');
                } },
                url: { value: '', required: true, validate: function (v, opt) {
                    var found = receiverPathProblem(this, v);
                    return !found || translate('validation.' + found.problem, { node: found.node });
                } },
                security: { value: rules.defaults.security, validate: function (v, opt) {
                    return rules.securityModes.indexOf(v || rules.defaults.security) !== -1 || translate('validation.security');
                } }
            }
        };
    }

    /**
     * After `node` changed or went: the other receiving nodes' path marks are checked again (a
     * duplicate may be gone, or new). Node-RED calls oneditsave before it applies the dialog's
     * values, and oneditdelete before it removes the node: the check waits until it has.
     */
    function revalidateReceivers(node) {
        setTimeout(function () {
            RED.nodes.eachNode(function (other) {
                if (other.id !== node.id && RECEIVER_TYPES.indexOf(other.type) !== -1) { RED.editor.validateNode(other); }
            });
            RED.view.redraw();
        }, 0);
    }

    /** src/telapi/voice-request.ts fallbackDocument: whether the runtime takes `value` as the fallback. */
    function isFallbackDocument(value, defaultFallback) {
        var text = typeof value === 'string' && value.trim() !== '' ? value.trim() : defaultFallback;
        var body = text.indexOf('<?xml') === 0 ? text.slice(text.indexOf('?>') + 2).trim() : text;
        return /^<Response[\s>/]/.test(body) && /(<\/Response>|<Response\s*\/>)$/.test(body);
    }

    /** Whether an account has a callback user: as typed in its dialog, else as stored by the runtime. */
    function withCallbackUser(account, then) {
        if (account.credentials && typeof account.credentials.callbackUser === 'string') {
            then(!!account.credentials.callbackUser.trim());
            return;
        }
        $.getJSON('credentials/telapi-account/' + account.id).done(function (stored) {
            then(!!(stored && stored.callbackUser));
        }).fail(function () { then(false); });
    }

    /**
     * A receiving node's dialog (`prefix`: its type, the prefix of its element ids and classes):
     * the tip of the security `mode`, and the warnings that the account's public URL lacks
     * httpNodeRoot and that httpNodeAuth (`httpNodeAuth`, from the rules) wants a callback user.
     */
    function receiverTips(prefix, mode, account, httpNodeAuth) {
        var root = String(RED.settings.httpNodeRoot || '/');
        $('#' + prefix + '-warn-noNodeRoot span').text(RED.nodes.getType(prefix)._(prefix + '.tip.noNodeRoot', { root: root }));
        $('.' + prefix + '-tip').hide();
        $('.' + prefix + '-tip-' + mode).show();
        $('#' + prefix + '-warn-noNodeRoot').toggle(!!account && !hasNodeRoot(account.publicUrl));
        $('#' + prefix + '-warn-httpNodeAuth').hide();
        if (account && httpNodeAuth) {
            withCallbackUser(account, function (has) { $('#' + prefix + '-warn-httpNodeAuth').toggle(!has); });
        }
    }

    /**
     * The reachability test of a receiving node's dialog (src/nodes/shared/reachability.ts): a click
     * on `$button` has the runtime POST a test request to the deployed node's public URL
     * (`<type>/<id>/test`), and `$result` says what came of it in the type's `test.*` texts.
     */
    function reachabilityTest(type, node, $button, $result) {
        function translate(key, params) { return RED.nodes.getType(type)._(key, params); }
        $button.on('click', function (event) {
            event.preventDefault();
            $result.text(translate(type + '.test.running')).show();
            $.ajax({ url: type + '/' + node.id + '/test', type: 'POST', dataType: 'json' }).done(function (result) {
                var params = {
                    status: result.status === undefined ? '' : result.status,
                    error: result.error || '',
                    detail: result.detail || '',
                    reason: result.reason || '',
                    root: result.root || String(RED.settings.httpNodeRoot || '/'),
                    problem: result.problem || '',
                    host: result.host || ''
                };
                var text = translate(type + '.test.cause.' + result.cause, params);
                if (result.url) { text += ' ' + translate(type + '.test.sentTo', { url: result.url }); }
                var elsewhere = result.elsewhere || [];
                elsewhere.forEach(function (sender) {
                    text += ' ' + translate(type + '.test.signedElsewhere', { node: sender.node, url: sender.url, expected: result.expected, path: result.path });
                });
                $result.text(text).attr('data-cause', result.cause).attr('data-elsewhere', elsewhere.length);
            }).fail(function (xhr) {
                $result.text(translate(type + '.test.failed', { error: xhr.status + ' ' + (xhr.statusText || '') })).attr('data-cause', 'failed');
            });
        });
    }

    // InboundXML: src/telapi/inboundxml/validate.ts as a deploy-time check runs it (checkOnly, on Zang's
    // schema), on the verb table of RED.settings.telapiInboundxmlRules. It collects every problem
    // instead of stopping at the first, so that a dialog can mark each field; the first is the one the
    // runtime reports.

    function inboundxml() { return rules('telapiInboundxmlRules'); }
    function hasOwn(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
    function isPlainObject(value) { return typeof value === 'object' && value !== null && !Array.isArray(value); }

    /** src/telapi/inboundxml/placeholders.ts hasPlaceholder */
    function hasPlaceholder(value) {
        return new RegExp(inboundxml().placeholder).test(value);
    }

    /** src/telapi/options.ts shownValue */
    function shownValue(value) {
        var text = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? Object.prototype.toString.call(value) : String(value);
        return text.length > 40 ? text.slice(0, 39) + '…' : text;
    }

    /** validate.ts checkValue: why a filled, trimmed, non-empty value is refused ({ reason, params }), or null. */
    function valueProblem(value, spec) {
        switch (spec.kind) {
        case 'enum': {
            var wanted = value.toLowerCase();
            var aliases = spec.aliases || {};
            var alias = Object.keys(aliases).filter(function (name) { return name.toLowerCase() === wanted; })[0];
            var target = (alias === undefined ? wanted : aliases[alias]).toLowerCase();
            var found = spec.values.some(function (allowed) { return allowed.toLowerCase() === target; });
            return found ? null : { reason: 'enum', params: { allowed: spec.values.join(', ') } };
        }
        case 'integer': {
            var number = /^\+?[0-9]+$/.test(value) ? Number(value) : NaN;
            if (Number.isSafeInteger(number) && number >= spec.min && (spec.max === undefined || number <= spec.max)) { return null; }
            if (spec.max !== undefined) { return { reason: 'range', params: { min: spec.min, max: spec.max, value: shownValue(value) } }; }
            return { reason: 'at-least', params: { min: spec.min } };
        }
        case 'boolean':
            return /^(true|false|1|0)$/i.test(value) ? null : { reason: 'boolean', params: {} };
        case 'url':
            return isUrlOrPath(value) ? null : { reason: 'url', params: {} };
        case 'dtmf':
            return Array.from(value).every(function (key) { return spec.keys.indexOf(key) !== -1; }) ? null
                : { reason: 'dtmf', params: { allowed: Array.from(spec.keys).join(' ') } };
        default:
            return null;
        }
    }

    /**
     * The problems of verbs as a dialog or an imported flow gives them, in document order: each
     * { field, reason, params } as src/telapi/errors.ts TelApiInputError has them (the field names the
     * place, e.g. "verbs[0].children[1].attributes.loop"), for `<type>.errors.input.<reason>`. A value
     * holding a {{…}} placeholder is not checked: it is known only when a call comes.
     */
    function checkVerbs(verbs, service) {
        var table = inboundxml();
        var names = Object.keys(table.verbs);
        var problems = [];
        function problem(field, reason, params) { problems.push({ field: field, reason: reason, params: params || {} }); }

        /** validate.ts readValue: '' when unset, the trimmed value, or null once a problem is noted. */
        function readValue(raw, field, spec) {
            if (raw === undefined || raw === null) { return ''; }
            if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
                problem(field, 'type', { expected: 'string' });
                return null;
            }
            var given = String(raw);
            if (hasPlaceholder(given)) { return given; }
            var value = given.trim();
            if (value === '') { return ''; }
            var refused = valueProblem(value, spec);
            if (refused) { problem(field, refused.reason, refused.params); return null; }
            return value;
        }
        function checkAttributes(input, at, verb, specs) {
            if (input === undefined || input === null) { input = {}; }
            if (!isPlainObject(input)) { return problem(at, 'type', { expected: 'object' }); }
            Object.keys(input).forEach(function (name) {
                if (!hasOwn(specs, name)) { problem(at + '.' + name, 'unknown-attribute', { verb: verb, allowed: Object.keys(specs).join(', ') || '-' }); }
            });
            Object.keys(specs).forEach(function (name) {
                var spec = specs[name];
                var value = readValue(input[name], at + '.' + name, spec);
                if (value === '' && spec.required === true && service === 'zang' && spec.fill === undefined) { problem(at + '.' + name, 'required'); }
            });
        }
        function checkText(raw, field, verb, spec) {
            if (!spec) {
                if (raw !== undefined && raw !== null && raw !== '') { problem(field, 'no-text', { verb: verb }); }
                return;
            }
            if (readValue(raw, field, spec) === '' && spec.required) { problem(field, 'required'); }
        }
        function checkVerb(item, at, parent) {
            if (!isPlainObject(item)) { return problem(at, 'type', { expected: 'object' }); }
            Object.keys(item).forEach(function (key) {
                if (table.verbProperties.indexOf(key) === -1) { problem(at + '.' + key, 'unknown-property', { allowed: table.verbProperties.join(', ') }); }
            });
            var verb = item.verb;
            var spec = typeof verb === 'string' && hasOwn(table.verbs, verb) ? table.verbs[verb] : undefined;
            if (!spec) { return problem(at + '.verb', 'unknown-verb', { allowed: names.join(', ') }); }
            if (spec.zangOnly && service === 'telapi') { problem(at + '.verb', 'service-verb', { verb: verb }); }
            var allowed = parent === 'Response' ? table.topLevel : table.verbs[parent].children;
            if (allowed.indexOf(verb) === -1) { problem(at, 'nesting', { verb: verb, parent: parent, allowed: allowed.join(', ') }); }
            checkAttributes(item.attributes, at + '.attributes', verb, spec.attributes);
            checkText(item.text, at + '.text', verb, spec.text);
            if (spec.children.length === 0 && Array.isArray(item.children) && item.children.length > 0) {
                return problem(at + '.children', 'no-children', { verb: verb });
            }
            checkList(item.children, at + '.children', verb);
        }
        function checkList(list, at, parent) {
            if (list === undefined || list === null) { return; }
            if (!Array.isArray(list)) { return problem(at, 'type', { expected: 'array' }); }
            list.forEach(function (item, index) { checkVerb(item, at + '[' + index + ']', parent); });
        }
        checkList(verbs, 'verbs', 'Response');
        return problems;
    }

    /**
     * "Use this editor's address": the address the browser opened the editor at, up to where
     * httpAdminRoot begins (behind a proxy at https://host/nr/ with httpAdminRoot /admin the editor is
     * at /nr/admin/, and /nr stays), then httpNodeRoot. A proxy that renames httpAdminRoot leaves the
     * prefix unknown: the origin alone then.
     */
    function editorAddress() {
        var root = String(RED.settings.httpNodeRoot || '/');
        var adminRoot = rules('telapiAccountRules').adminRoot || '';
        var path = window.location.pathname.replace(/\/+$/, '');
        var at = path.length - adminRoot.length;
        var prefix = at >= 0 && path.slice(at).toLowerCase() === adminRoot.toLowerCase() ? path.slice(0, at) : '';
        return canonicalPublicUrl(window.location.origin + prefix + (root.charAt(0) === '/' ? root : '/' + root));
    }

    window.telapiEditor = {
        rules: rules,
        isHttpUrl: isHttpUrl,
        isUrlOrPath: isUrlOrPath,
        isWholeNumberIn: isWholeNumberIn,
        isEnvVar: isEnvVar,
        fillSelect: fillSelect,
        canonicalPublicUrl: canonicalPublicUrl,
        isLocalOnlyHost: isLocalOnlyHost,
        privatePublicHost: privatePublicHost,
        callbackUrl: callbackUrl,
        hasNodeRoot: hasNodeRoot,
        normaliseCallbackPath: normaliseCallbackPath,
        receiverPathProblem: receiverPathProblem,
        signedElsewhere: signedElsewhere,
        signatureNodeElsewhere: signatureNodeElsewhere,
        accountOf: accountOf,
        receiverProperties: receiverProperties,
        revalidateReceivers: revalidateReceivers,
        isFallbackDocument: isFallbackDocument,
        receiverTips: receiverTips,
        reachabilityTest: reachabilityTest,
        hasPlaceholder: hasPlaceholder,
        checkVerbs: checkVerbs,
        editorAddress: editorAddress
    };
})();
