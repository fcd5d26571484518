#!/usr/bin/python3
"""A scripted HTTP/2 client (python-hyper h2) for the push tests.

usage: h2client.py HOST PORT MODE
  accept   GET /, accept every push, read everything
  cancel   GET /, reset every pushed stream with CANCEL at its PUSH_PROMISE
  disable  GET /first (pushes accepted), then SETTINGS_ENABLE_PUSH=0 and, once
           acknowledged, GET /second

Prints one JSON object: the promises (parent, promised stream, request
headers), the responses by stream (status, headers, body), the streams reset
by the server. h2 itself enforces the client side of RFC 9113: a
PUSH_PROMISE after push was disabled and acknowledged is a ProtocolError
(exit status 1).
"""
import json
import socket
import ssl
import sys

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
from h2.errors import ErrorCodes


def main():
    host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    sock = ctx.wrap_socket(socket.create_connection((host, port), timeout=20), server_hostname=host)
    if sock.selected_alpn_protocol() != "h2":
        sys.exit("ALPN did not select h2")
    conn = h2.connection.H2Connection(
        config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())

    out = {"promises": [], "responses": {}, "resets": {}}
    open_streams = set()
    state = {"acked": False}

    def resp(sid):
        return out["responses"].setdefault(str(sid), {"status": "", "headers": {}, "body": ""})

    def request(path):
        sid = conn.get_next_available_stream_id()
        conn.send_headers(sid, [(":method", "GET"), (":scheme", "https"),
                                (":authority", "%s:%d" % (host, port)), (":path", path)], end_stream=True)
        sock.sendall(conn.data_to_send())
        open_streams.add(sid)

    def handle(ev):
        if isinstance(ev, h2.events.PushedStreamReceived):
            out["promises"].append({"parent": ev.parent_stream_id, "promised": ev.pushed_stream_id,
                                    "headers": dict(ev.headers)})
            if mode == "cancel":
                try:
                    conn.reset_stream(ev.pushed_stream_id, ErrorCodes.CANCEL)
                except h2.exceptions.StreamClosedError:
                    pass  # it ended in the same read; the server closed it cleanly
            else:
                open_streams.add(ev.pushed_stream_id)
        elif isinstance(ev, h2.events.ResponseReceived):
            r = resp(ev.stream_id)
            for k, v in ev.headers:
                if k == ":status":
                    r["status"] = v
                else:
                    r["headers"][k] = v
        elif isinstance(ev, h2.events.DataReceived):
            resp(ev.stream_id)["body"] += ev.data.decode()
            conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            open_streams.discard(ev.stream_id)
        elif isinstance(ev, h2.events.StreamReset):
            out["resets"][str(ev.stream_id)] = int(ev.error_code)
            open_streams.discard(ev.stream_id)
        elif isinstance(ev, h2.events.SettingsAcknowledged):
            state["acked"] = True
        elif isinstance(ev, h2.events.ConnectionTerminated):
            sys.exit("GOAWAY %s" % ev.error_code)

    def run(done):
        while not done():
            data = sock.recv(65536)
            if not data:
                sys.exit("connection closed early")
            for ev in conn.receive_data(data):
                handle(ev)
            sock.sendall(conn.data_to_send())

    if mode in ("accept", "cancel"):
        request("/")
        run(lambda: not open_streams)
    elif mode == "disable":
        request("/first")
        run(lambda: not open_streams)
        state["acked"] = False
        conn.update_settings({h2.settings.SettingCodes.ENABLE_PUSH: 0})
        sock.sendall(conn.data_to_send())
        run(lambda: state["acked"])
        request("/second")
        run(lambda: not open_streams)
    else:
        sys.exit("unknown mode " + mode)
    conn.close_connection()
    sock.sendall(conn.data_to_send())
    sock.close()
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
