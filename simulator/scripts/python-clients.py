#!/usr/bin/env python3
"""Drive the official Python clients, telapi-python and zang-python, against a running simulator.

Neither client is part of this repository, and neither is committed to it. To get them, check out
the public GitHub repositories TelAPI/telapi-python (last commit a13dcb1, January 2016) and
zang-cloud/zang-python (last commit 728254e, November 2022), for instance:

    git clone https://github.com/TelAPI/telapi-python /tmp/telapi-python
    git clone https://github.com/zang-cloud/zang-python /tmp/zang-python

Their dependencies come from Debian (no pip):

    apt-get install -y python3-requests python3-dateutil python3-lib2to3

telapi-python is Python 2 code (print statements, `except E, e`, the module `new`), and no Python 2
is packaged for this Debian. The script copies its `telapi` package to a temporary folder, turns it
into Python 3 with lib2to3 (the standard, mechanical conversion) and gives it a one-line module
`new` whose `classobj` is `type`; nothing of its logic is changed (lib2to3 is in Python 3 up to
3.12; Debian 12's python3 is 3.11). zang-python runs as it is.

Then, from the repository root:

    node simulator/bin/telapi-simulator.js --port 8089 &
    python3 simulator/scripts/python-clients.py --url http://127.0.0.1:8089 \\
        --telapi-python /tmp/telapi-python --zang-python /tmp/zang-python

(those are the defaults). It uses the simulator's demo account. With each client in turn, on the
same simulator: it makes a call (and creates a live one through the control API), records the live
call with transcription on and has the recording transcribed again (telapi-python with TelAPI v1's
Quality=silver, zang-python with hybrid; through the client wherever the client can), waits for the
transcriptions, then lists the account's transcriptions, lists the recording's transcriptions
(GET .../Recordings/{RecordingSid}/Transcriptions.json), reads every transcription and every call of
the account by SID, lists calls (and those to one number), lists the recordings and reads every one.
It prints one line per operation:

    PASS        the client did it and read back what the simulator holds
    FAIL        an error, or data the client could not read or that is not what was asked for
                (the simulator's to fix)
    CLIENT BUG  the client's own bug, noted and not worked around in the simulator

and exits 1 when any operation failed.
"""

import argparse
import base64
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

# The simulator's demo account (DEMO_ACCOUNT_SID and DEMO_AUTH_TOKEN in simulator/README.md).
DEMO_ACCOUNT_SID = 'ACfeedfacecafebeeffeedfacecafebeef'
DEMO_AUTH_TOKEN = 'telapi-simulator-demo-auth-token'
# A voice URL nobody answers: the calls the clients make ring, ask it, and end.
UNANSWERED_VOICE_URL = 'http://127.0.0.1:9/voice'
# The numbers each client's call is made to (and its list of calls filtered by).
TELAPI_CALLED = '+15550100013'
ZANG_CALLED = '+15550100014'


class ClientBug(Exception):
    """The client's own bug: reported, not counted as the simulator's failure."""


class CheckFailed(Exception):
    """The client ran, but what it read is not what the simulator holds."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


class Report:
    def __init__(self):
        self.counts = {}

    def run(self, client, operation, action):
        """Runs one operation; prints its line; returns what it returned (None when it failed)."""
        counts = self.counts.setdefault(client, {'PASS': 0, 'FAIL': 0, 'CLIENT BUG': 0})
        try:
            result, detail = action()
            verdict = 'PASS'
        except ClientBug as bug:
            result, detail, verdict = None, str(bug), 'CLIENT BUG'
        except CheckFailed as failure:
            result, detail, verdict = None, str(failure), 'FAIL'
        except Exception as error:  # the client raised: show where
            frame = traceback.extract_tb(error.__traceback__)[-1]
            where = '%s:%d' % (os.path.basename(frame.filename), frame.lineno)
            result, detail, verdict = None, '%s: %s (at %s)' % (type(error).__name__, error, where), 'FAIL'
        counts[verdict] += 1
        print('%-10s  %-13s  %s: %s' % (verdict, client, operation, detail), flush=True)
        return result

    def summary(self):
        failed = 0
        for client, counts in self.counts.items():
            print('%s: %d passed, %d failed, %d client bugs' % (client, counts['PASS'], counts['FAIL'], counts['CLIENT BUG']))
            failed += counts['FAIL']
        return failed


class Simulator:
    """Plain HTTP to the simulator, for what is set up beside the clients (control API, REST)."""

    def __init__(self, url, account_sid, auth_token):
        self.url = url.rstrip('/')
        self.account_sid = account_sid
        self.auth_token = auth_token
        credentials = ('%s:%s' % (account_sid, auth_token)).encode()
        self.authorization = 'Basic ' + base64.b64encode(credentials).decode()

    def request(self, method, path, params=None):
        url = self.url + path
        data = None
        if params and method == 'GET':
            url += '?' + urllib.parse.urlencode(params)
        elif params:
            data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(url, data=data, method=method, headers={'Authorization': self.authorization})
        if data is not None:
            request.add_header('Content-Type', 'application/x-www-form-urlencoded')
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError('%s %s answered %d: %s' % (method, path, error.code, error.read()[:300]))
        return json.loads(body) if body else None

    def api(self, method, path, params=None, version='v1'):
        return self.request(method, '/%s/Accounts/%s%s' % (version, self.account_sid, path), params)

    def live_call(self, caller_name):
        """A live (in-progress) call, made through the control API: no voice URL is asked."""
        return self.request('POST', '/_simulator/calls', {'From': '+15550100011', 'To': '+15550100100', 'CallerName': caller_name})['sid']

    def recording_with_transcription(self, call_sid, quality, seconds=1.0):
        """Records the call for about `seconds` with Transcribe=true; returns the RecordingSid."""
        started = self.api('POST', '/Calls/%s/Recordings.json' % call_sid,
                           {'Record': 'true', 'Transcribe': 'true', 'TranscribeQuality': quality})
        time.sleep(seconds)
        self.api('POST', '/Calls/%s/Recordings.json' % call_sid, {'Record': 'false'})
        return started['sid']

    def wait_for_transcriptions(self, recording_sids, count, timeout=60.0):
        """Waits until the recordings have `count` transcriptions in all, none in progress."""
        deadline = time.time() + timeout
        while True:
            found = []
            for sid in recording_sids:
                found += self.api('GET', '/Recordings/%s/Transcriptions.json' % sid)['transcriptions']
            if len(found) >= count and all(item['status'] != 'in-progress' for item in found):
                return [item['sid'] for item in found]
            if time.time() > deadline:
                raise RuntimeError('the transcriptions of %s did not complete within %d s' % (recording_sids, timeout))
            time.sleep(0.25)

    def all_sids(self, resource):
        """Every SID of the account's `Calls`, `Recordings` or `Transcriptions`, all pages."""
        sids, page = [], 0
        while True:
            listed = self.api('GET', '/%s.json' % resource, {'Page': page, 'PageSize': 1000})
            sids += [item['sid'] for item in listed[resource.lower()]]
            page += 1
            if page >= listed['num_pages']:
                return sids

    def wait_for_transcription(self, sid, timeout=60.0):
        deadline = time.time() + timeout
        while self.api('GET', '/Transcriptions/%s.json' % sid)['status'] == 'in-progress':
            if time.time() > deadline:
                raise RuntimeError('the transcription %s did not complete within %d s' % (sid, timeout))
            time.sleep(0.25)
        return sid


def short(sids):
    return ', '.join(sid[:8] + '…' for sid in sids)


def read_every(sim, resource, read_one, what=''):
    """An operation: `read_one(sid)` for every SID of the account's `resource` (all pages)."""
    def action():
        sids = sim.all_sids(resource)
        for sid in sids:
            read_one(sid)
        return sids, 'GET %s/{Sid}.json for %d %s%s' % (resource, len(sids), resource.lower(), what)
    return action


# -------------------------------------------------------------------------------------------------
# telapi-python

def load_telapi_python(source):
    """Imports telapi-python's `telapi.rest` from a Python 3 copy made with lib2to3 (see the top)."""
    work = tempfile.mkdtemp(prefix='telapi-python-py3-')
    shutil.copytree(os.path.join(source, 'telapi'), os.path.join(work, 'telapi'))
    converted = subprocess.run(
        [sys.executable, '-W', 'ignore', '-m', 'lib2to3', '--write', '--nobackups', '--no-diffs', os.path.join(work, 'telapi')],
        capture_output=True, text=True)
    if converted.returncode != 0:
        raise RuntimeError('lib2to3 failed on telapi-python: %s' % converted.stderr[-500:])
    with open(os.path.join(work, 'new.py'), 'w') as module:
        module.write('# Python 2\'s module `new`, as far as telapi-python uses it.\nclassobj = type\n')
    sys.path.insert(0, work)
    from telapi import rest  # noqa: E402 (imported from the converted copy)
    return rest, work


def missing_attributes(resource):
    """The attributes telapi-python's schema lists for a resource that the answer did not carry."""
    return [name for name in resource._allowed_attributes if name not in resource._resource_data]


def telapi_reader(listing):
    """Reads one resource by SID through a telapi-python list (`account.calls` …) and checks it."""
    def read_one(sid):
        resource = listing[sid]
        resource.fetch()
        expect(resource.sid == sid, 'asked for %s, read sid %r' % (sid, resource.sid))
        missing = missing_attributes(resource)
        expect(not missing, '%s: the answer lacks %s (the client reads None)' % (sid, ', '.join(missing)))
        return resource
    return read_one


def run_telapi_python(report, sim, rest, base_url):
    name = 'telapi-python'
    client = rest.Client(sim.account_sid, sim.auth_token, base_url=base_url + '/v1/')
    account = client.accounts[client.account_sid]

    call_sid = sim.live_call('telapi-python')
    recording_sid = sim.recording_with_transcription(call_sid, 'auto')

    def make_call():
        call = account.calls.create(from_number='+15550100012', to_number=TELAPI_CALLED, url=UNANSWERED_VOICE_URL)
        expect(str(call.sid).startswith('CA'), 'the answer has no CallSid: %r' % call._resource_data)
        return call.sid, 'POST Calls.json -> %s (%s)' % (call.sid, call.status)
    made_call_sid = report.run(name, 'make a call', make_call)

    def start_and_stop():
        started = account.calls[call_sid].recordings.create(record='true', time_limit=60)
        expect(str(started.sid).startswith('RE'), 'no RecordingSid in %r' % started._resource_data)
        time.sleep(0.5)
        account.calls[call_sid].recordings.create(record='false')
        return started.sid, 'POST Calls/%s/Recordings.json Record=true, then false -> %s' % (call_sid[:8] + '…', started.sid)
    report.run(name, 'record a call', start_and_stop)

    def transcribe():
        # silver: one of TelAPI v1's qualities, the ones telapi-python's users asked for.
        transcription = account.recordings[recording_sid].transcriptions.create(quality='silver')
        expect(str(transcription.sid).startswith('TR'), 'no TranscriptionSid in %r' % transcription._resource_data)
        expect(transcription.recording_sid == recording_sid, 'recording_sid %r' % transcription.recording_sid)
        return transcription.sid, 'POST Recordings/%s/Transcriptions.json Quality=silver -> %s (%s)' % (recording_sid[:8] + '…', transcription.sid, transcription.status)
    report.run(name, 'transcribe a recording', transcribe)

    made = sim.wait_for_transcriptions([recording_sid], 2)

    def list_account_transcriptions():
        listed = [t.sid for t in account.transcriptions]
        missing = [sid for sid in made if sid not in listed]
        expect(not missing, 'the first page lacks %s' % short(missing))
        return listed, 'GET Transcriptions.json -> %d on the first page, ours among them' % len(listed)
    report.run(name, 'list the account\'s transcriptions', list_account_transcriptions)

    def list_recording_transcriptions():
        items = list(account.recordings[recording_sid].transcriptions)
        expect(sorted(t.sid for t in items) == sorted(made), 'listed %s, made %s' % (short(t.sid for t in items), short(made)))
        expect(all(t.recording_sid == recording_sid for t in items), 'a recording_sid is not %s' % recording_sid)
        return items, 'GET Recordings/%s/Transcriptions.json -> %s' % (recording_sid[:8] + '…', short(t.sid for t in items))
    report.run(name, 'list a recording\'s transcriptions', list_recording_transcriptions)

    read_transcription = telapi_reader(account.transcriptions)

    def read_and_check_transcription(sid):
        status = read_transcription(sid).status
        expect(status in ('in-progress', 'completed', 'failed'), '%s: status %r' % (sid, status))
    report.run(name, 'read every transcription', read_every(sim, 'Transcriptions', read_and_check_transcription))

    def list_calls():
        listed = [call.sid for call in account.calls]
        for sid in (call_sid, made_call_sid):
            expect(sid is None or sid in listed, 'the first page lacks %s' % sid)
        return listed, 'GET Calls.json -> %d calls' % len(listed)
    report.run(name, 'list calls', list_calls)

    def list_calls_to():
        listed = [(call.sid, call.to_number) for call in account.calls.filter(To=TELAPI_CALLED)]
        expect(all(to == TELAPI_CALLED for _, to in listed), 'To=%s listed calls to %s' % (TELAPI_CALLED, sorted(set(to for _, to in listed))))
        expect(made_call_sid is None or made_call_sid in [sid for sid, _ in listed], 'To=%s lacks %s' % (TELAPI_CALLED, made_call_sid))
        return listed, 'GET Calls.json?To=%s -> %d' % (TELAPI_CALLED, len(listed))
    report.run(name, 'list calls to a number', list_calls_to)

    report.run(name, 'read every call', read_every(sim, 'Calls', telapi_reader(account.calls)))

    def list_recordings():
        listed = [recording.sid for recording in account.recordings]
        expect(recording_sid in listed, 'the first page lacks %s' % recording_sid)
        of_call = [recording.sid for recording in account.calls[call_sid].recordings]
        expect(recording_sid in of_call and len(of_call) == 2, 'the call\'s recordings are %s' % short(of_call))
        return listed, 'GET Recordings.json -> %d; GET Calls/%s/Recordings.json -> %d' % (len(listed), call_sid[:8] + '…', len(of_call))
    report.run(name, 'list recordings', list_recordings)

    report.run(name, 'read every recording', read_every(sim, 'Recordings', telapi_reader(account.recordings)))


# -------------------------------------------------------------------------------------------------
# zang-python

def load_zang_python(source):
    sys.path.insert(0, os.path.abspath(source))
    from zang.configuration.configuration import Configuration
    from zang.connectors.connector_factory import ConnectorFactory
    from zang.domain.list.transcriptions import Transcriptions
    from zang.domain.enums import transcribe_quality, transcription_status
    return Configuration, ConnectorFactory, Transcriptions, transcribe_quality.TranscribeQuality, transcription_status.TranscriptionStatus


def check_zang_dates(resource, names, sid):
    for name in names:
        expect(isinstance(getattr(resource, '_' + name), datetime.datetime), '%s: %s not read as a date: %r' % (sid, name, getattr(resource, '_' + name)))


def check_zang_transcription(transcription, sid, recording_sids):
    """What zang-python's Transcription gives: every property but type_ (its bug, reported apart)."""
    expect(transcription.sid == sid, 'asked for %s, read %r' % (sid, transcription.sid))
    expect(transcription.status is not None and transcription.callbackMethod is not None, '%s: status %r, callback_method %r' % (sid, transcription.status, transcription.callbackMethod))
    expect(isinstance(transcription.duration, int) and isinstance(transcription.price, float), '%s: duration %r, price %r' % (sid, transcription.duration, transcription.price))
    expect(isinstance(transcription.transcriptionText, str), '%s: transcription_text %r' % (sid, transcription.transcriptionText))
    expect(transcription.recordingSid in recording_sids or not recording_sids, '%s: recording_sid %r' % (sid, transcription.recordingSid))
    check_zang_dates(transcription, ('date_created', 'date_updated'), sid)


def run_zang_python(report, sim, zang, base_url):
    Configuration, ConnectorFactory, Transcriptions, TranscribeQuality, TranscriptionStatus = zang
    name = 'zang-python'
    factory = ConnectorFactory(Configuration(sim.account_sid, sim.auth_token, base_url + '/v2'))
    calls_connector = factory.callsConnector
    recordings_connector = factory.recordingsConnector
    transcriptions_connector = factory.transcriptionsConnector

    call_sid = sim.live_call('zang-python')

    def make_call():
        call = calls_connector.makeCall(ZANG_CALLED, '+15550100012', UNANSWERED_VOICE_URL)
        expect(str(call.sid).startswith('CA'), 'no CallSid')
        return call.sid, 'POST Calls.json -> %s (%s)' % (call.sid, call._status)
    made_call_sid = report.run(name, 'make a call', make_call)

    def record_with_transcription():
        started = recordings_connector.recordCall(call_sid, True, timeLimit=60, transcribe=True, transcribeQuality=TranscribeQuality.AUTO)
        expect(str(started.sid).startswith('RE') and started.callSid == call_sid, 'read sid %r, call_sid %r' % (started.sid, started.callSid))
        time.sleep(1.0)
        stopped = recordings_connector.recordCall(call_sid, False)
        expect(stopped.sid == started.sid and isinstance(stopped.duration, int), 'stopping read sid %r, duration %r' % (stopped.sid, stopped.duration))
        return started.sid, 'POST Calls/%s/Recordings.json Record=true Transcribe=true, then false -> %s, %d s' % (call_sid[:8] + '…', started.sid, stopped.duration)
    recording_sid = report.run(name, 'record a call, transcribed', record_with_transcription)
    if recording_sid is None:  # go on with one made beside the client
        recording_sid = sim.recording_with_transcription(call_sid, 'auto')

    def record_live_call():
        started = calls_connector.recordLiveCall(call_sid, True, timeLimit=60)
        calls_connector.recordLiveCall(call_sid, False)
        kind = type(started).__name__
        if kind == 'Call' and str(started.sid).startswith('RE'):
            raise ClientBug('recordLiveCall parses the Recording it is answered (%s) as a Call' % started.sid)
        return started, 'POST Calls/%s/Recordings.json -> %s %s' % (call_sid[:8] + '…', kind, started.sid)
    report.run(name, 'record a call (calls connector)', record_live_call)

    def transcribe():
        transcription = transcriptions_connector.transcribeRecording(recording_sid, quality=TranscribeQuality.HYBRID)
        expect(str(transcription.sid).startswith('TR') and transcription.recordingSid == recording_sid, 'read sid %r, recording_sid %r' % (transcription.sid, transcription.recordingSid))
        expect(transcription._type == TranscribeQuality.HYBRID, 'type %r' % transcription._type)
        return transcription.sid, 'POST Recordings/%s/Transcriptions.json Quality=hybrid -> %s' % (recording_sid[:8] + '…', transcription.sid)
    report.run(name, 'transcribe a recording', transcribe)

    def transcribe_audio_url():
        recording = recordings_connector.viewRecording(recording_sid)
        transcription = transcriptions_connector.transcribeAudioUrl(audioUrl=recording.recordingUrl, quality=TranscribeQuality.KEYWORDS)
        expect(str(transcription.sid).startswith('TR') and transcription.audioUrl == recording.recordingUrl, 'read sid %r, audio_url %r' % (transcription.sid, transcription.audioUrl))
        return transcription.sid, 'POST Transcriptions.json AudioUrl=<the recording> -> %s' % transcription.sid
    audio_url_transcription = report.run(name, 'transcribe an audio URL', transcribe_audio_url)

    made = sim.wait_for_transcriptions([recording_sid], 2)
    made_all = made + ([sim.wait_for_transcription(audio_url_transcription)] if audio_url_transcription else [])

    def list_account_transcriptions():
        today = datetime.date.today()
        listed = transcriptions_connector.listTranscriptions(
            dateTranscribedGte=today - datetime.timedelta(days=1), dateTranscribedLt=today + datetime.timedelta(days=2), page=0, pageSize=50)
        sids = [t.sid for t in listed.elements or []]
        missing = [sid for sid in made_all if sid not in sids]
        expect(not missing, 'the first page lacks %s' % short(missing))
        expect(listed.total >= len(sids) and listed.page == 0 and listed.pageSize == 50, 'total %r, page %r, page_size %r' % (listed.total, listed.page, listed.pageSize))
        completed = transcriptions_connector.listTranscriptions(status=TranscriptionStatus.COMPLETED)
        expect(all(t.status == TranscriptionStatus.COMPLETED for t in completed.elements or []), 'Status=completed listed others')
        return sids, 'GET Transcriptions.json?DateTranscribed>=…&DateTranscribed<=… -> %d of %d; Status=completed -> %d' % (len(sids), listed.total, len(completed.elements or []))
    report.run(name, 'list the account\'s transcriptions', list_account_transcriptions)

    def list_recording_transcriptions():
        # zang-python has no method for this path: its executor and list model read it.
        listed = factory.executor.read(('Recordings', recording_sid, 'Transcriptions'), Transcriptions)
        sids = [t.sid for t in listed.elements or []]
        expect(sorted(sids) == sorted(made), 'listed %s, made %s' % (short(sids), short(made)))
        expect(listed.total == len(made) and listed.numPages == 1, 'total %r, num_pages %r' % (listed.total, listed.numPages))
        for transcription in listed.elements:
            check_zang_transcription(transcription, transcription.sid, [recording_sid])
        return sids, 'GET Recordings/%s/Transcriptions.json (the client\'s executor) -> %s' % (recording_sid[:8] + '…', short(sids))
    report.run(name, 'list a recording\'s transcriptions', list_recording_transcriptions)

    def read_transcription(sid):
        check_zang_transcription(transcriptions_connector.viewTranscription(sid), sid, [])
    report.run(name, 'read every transcription', read_every(sim, 'Transcriptions', read_transcription, ', every property but type_'))

    def read_type():
        transcription = transcriptions_connector.viewTranscription(made[0])
        try:
            quality = transcription.type_
        except AttributeError:
            raise ClientBug('Transcription.type_ reads _type_, which its parser never sets; it did parse type as %s' % transcription._type)
        return quality, 'type_ = %s' % quality
    report.run(name, 'read a transcription\'s type_', read_type)

    def list_calls():
        listed = calls_connector.listCalls(pageSize=50)
        sids = [call.sid for call in listed.elements or []]
        for sid in (call_sid, made_call_sid):
            expect(sid is None or sid in sids, 'the first page lacks %s' % sid)
        return sids, 'GET Calls.json -> %d of %d' % (len(sids), listed.total)
    report.run(name, 'list calls', list_calls)

    def list_calls_filtered():
        today = datetime.date.today()
        listed = calls_connector.listCalls(to=ZANG_CALLED, from_='+15550100012', startTimeGte=today - datetime.timedelta(days=1), startTimeLt=today + datetime.timedelta(days=2))
        found = [(call.sid, call.to, call.from_) for call in listed.elements or []]
        expect(all(to == ZANG_CALLED and from_ == '+15550100012' for _, to, from_ in found), 'listed calls %s' % sorted(set((to, from_) for _, to, from_ in found)))
        expect(made_call_sid is None or made_call_sid in [sid for sid, _, _ in found], 'the filtered list lacks %s' % made_call_sid)
        return found, 'GET Calls.json?To=%s&From=…&StartTime>=…&StartTime<=… -> %d' % (ZANG_CALLED, len(found))
    report.run(name, 'list calls to a number', list_calls_filtered)

    def read_call(sid):
        call = calls_connector.viewCall(sid)
        expect(call.sid == sid, 'asked for %s, read %r' % (sid, call.sid))
        expect(call._status is not None and call.direction is not None and call.answeredBy is not None, '%s: status %r, direction %r, answered_by %r' % (sid, call._status, call.direction, call.answeredBy))
        expect(isinstance(call._duration, int) and isinstance(call._price, float), '%s: duration %r, price %r' % (sid, call._duration, call._price))
        check_zang_dates(call, ('date_created', 'date_updated', 'start_time'), sid)
    report.run(name, 'read every call', read_every(sim, 'Calls', read_call, ' (status, direction, answered_by, dates, duration, price)'))

    def list_recordings():
        of_call = recordings_connector.listRecordings(callSid=call_sid)
        sids = [recording.sid for recording in of_call.elements or []]
        expect(recording_sid in sids, 'CallSid=%s lists %s' % (call_sid, short(sids)))
        everything = recordings_connector.listRecordings(pageSize=50)
        return [r.sid for r in everything.elements or []], 'GET Recordings.json?CallSid=%s -> %d; GET Recordings.json -> %d of %d' % (call_sid[:8] + '…', len(sids), len(everything.elements or []), everything.total)
    report.run(name, 'list recordings', list_recordings)

    def read_recording(sid):
        recording = recordings_connector.viewRecording(sid)
        expect(recording.sid == sid and isinstance(recording.duration, int), '%s: sid %r, duration %r' % (sid, recording.sid, recording.duration))
        check_zang_dates(recording, ('date_created', 'date_updated'), sid)
    report.run(name, 'read every recording', read_every(sim, 'Recordings', read_recording))


def main():
    parser = argparse.ArgumentParser(description='Run the official Python clients against a running simulator.')
    parser.add_argument('--url', default='http://127.0.0.1:8089', help='the simulator (default %(default)s)')
    parser.add_argument('--telapi-python', default='/tmp/telapi-python', help='a checkout of TelAPI/telapi-python')
    parser.add_argument('--zang-python', default='/tmp/zang-python', help='a checkout of zang-cloud/zang-python')
    parser.add_argument('--account-sid', default=DEMO_ACCOUNT_SID)
    parser.add_argument('--auth-token', default=DEMO_AUTH_TOKEN)
    args = parser.parse_args()

    sim = Simulator(args.url, args.account_sid, args.auth_token)
    report = Report()
    rest, work = load_telapi_python(args.telapi_python)
    try:
        run_telapi_python(report, sim, rest, sim.url)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    run_zang_python(report, sim, load_zang_python(args.zang_python), sim.url)
    return 1 if report.summary() else 0


if __name__ == '__main__':
    sys.exit(main())
