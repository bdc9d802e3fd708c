#!/usr/bin/env python3
"""Export contact events and complaints to a JSON-lines (or CSV) file, resumably.

    export_records.py --server HOST:PORT --token-file F --out FILE --state FILE [--squad N]
                      [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--kinds contact-event,complaint,session]
                      [--csv] [--batch-size N] [--tls-ca CA.crt]

Streams ExportService.ExportRecords and appends one line per record to --out. After each message
the --state file is replaced (write, then rename) with the message's cursor and the length of --out
so far. Run the same command again after an interruption (or a day later): it cuts --out back to
the length the state file names (dropping lines written after the last saved cursor) and resumes
from that cursor, so every record is in --out exactly once. An analyst's token gives pseudonyms
and no free text. Needs the Python stubs generated at build time (build/client/python/gen, or
TOUCHLINE_PYTHON_STUBS=DIR) and Debian's python3-grpcio and python3-protobuf.
"""
import argparse
import csv
import datetime
import io
import json
import os
import sys


import touchline_stubs  # noqa: E402,F401  (puts the generated stubs on sys.path)
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from touchline.v1 import complaint_pb2, contact_event_pb2, exposure_pb2  # noqa: E402
from touchline.v1 import export_pb2, export_pb2_grpc  # noqa: E402

CSV_COLUMNS = ["record", "id", "squad_id", "player", "time", "kind_or_side", "awkward", "open",
               "check_ins", "revision", "minutes"]


def parse_day(text):
    d = datetime.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp())


def parse_kind(text):
    name = "RECORD_KIND_" + text.strip().upper().replace("-", "_")
    try:
        return export_pb2.RecordKind.Value(name)
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown kind {text!r}: contact-event or complaint")


def iso(ts):
    return datetime.datetime.fromtimestamp(ts.seconds + ts.nanos / 1e9, tz=datetime.timezone.utc) \
        .isoformat().replace("+00:00", "Z")


def csv_rows(record):
    """The CSV rows of one record: one, or one per participation of a session."""
    which = record.WhichOneof("record")
    if which == "contact_event":
        e = record.contact_event
        return [["contact_event", e.id, record.squad_id, e.player_id or e.player_pseudonym,
                 iso(e.occur_time), contact_event_pb2.ContactKind.Name(e.kind), int(e.awkward), "", "",
                 record.revision, ""]]
    if which == "session":
        s = record.session
        # One row per participation: exposure is per player.
        return [["session", s.id, record.squad_id, p.player_id or p.player_pseudonym,
                 iso(s.start_time), exposure_pb2.ExposureKind.Name(s.kind), "", "", "",
                 record.revision, p.minutes] for p in s.participations]
    c = record.complaint
    return [["complaint", c.id, record.squad_id, c.player_id or c.player_pseudonym,
             iso(c.onset_time), complaint_pb2.Side.Name(c.side), "", int(c.open), len(c.check_ins),
             record.revision, ""]]


def load_state(path):
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
        return state.get("cursor", ""), int(state.get("out_bytes", 0))
    except FileNotFoundError:
        return "", 0


def save_state(path, cursor, out_bytes):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"cursor": cursor, "out_bytes": out_bytes}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", default="127.0.0.1:50051")
    ap.add_argument("--token-file", default="touchline.db.token")
    ap.add_argument("--squad", type=int, default=0, help="squad id; 0 (default): every squad")
    ap.add_argument("--from", dest="start", help="first day (UTC), YYYY-MM-DD")
    ap.add_argument("--to", dest="end", help="end day (UTC, exclusive), YYYY-MM-DD")
    ap.add_argument("--kinds", type=lambda t: [parse_kind(k) for k in t.split(",") if k],
                    default=[], help="contact-event,complaint (default: all)")
    ap.add_argument("--out", required=True, help="file the records are appended to")
    ap.add_argument("--state", required=True, help="cursor state file (JSON)")
    ap.add_argument("--csv", action="store_true", help="CSV rows instead of JSON lines")
    ap.add_argument("--batch-size", type=int, default=0)
    ap.add_argument("--stop-after", type=int, default=0,
                    help="stop after this many messages (to try resumption)")
    ap.add_argument("--tls-ca", help="PEM CA of the server's certificate (TLS)")
    ap.add_argument("--force", action="store_true",
                    help="overwrite an existing --out that no --state file resumes")
    args = ap.parse_args(argv)

    # An existing --out is resumed (its --state file names the cursor) or, with --force, replaced;
    # never overwritten by accident.
    if (os.path.exists(args.out) and os.path.getsize(args.out) > 0 and not os.path.exists(args.state)
            and not args.force):
        ap.error(f"{args.out} exists and there is no --state file {args.state} to resume it from: "
                 "give the --state of the run that wrote it, or --force to overwrite it")

    with open(args.token_file, encoding="utf-8") as f:
        token = f.readline().strip()
    metadata = (("authorization", "Bearer " + token),)
    if args.tls_ca:
        with open(args.tls_ca, "rb") as f:
            channel = grpc.secure_channel(args.server, grpc.ssl_channel_credentials(f.read()))
    else:
        channel = grpc.insecure_channel(args.server)
    stub = export_pb2_grpc.ExportServiceStub(channel)

    cursor, out_bytes = load_state(args.state)
    req = export_pb2.ExportRecordsRequest(squad_id=args.squad, kinds=args.kinds, cursor=cursor,
                                          batch_size=args.batch_size)
    if args.start:
        req.start_time.seconds = parse_day(args.start)
    if args.end:
        req.end_time.seconds = parse_day(args.end)

    mode = "r+b" if os.path.exists(args.out) else "w+b"
    written = 0
    with open(args.out, mode) as out:
        # Lines after the last saved cursor were written by a run that stopped before saving it:
        # they come again now, so they go.
        out.truncate(out_bytes)
        out.seek(out_bytes)
        if args.csv and out_bytes == 0:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerow(CSV_COLUMNS)
            out.write(buf.getvalue().encode())
        stream = stub.ExportRecords(req, metadata=metadata)
        try:
            for n, message in enumerate(stream, 1):
                buf = io.StringIO()
                writer = csv.writer(buf, lineterminator="\n")
                for record in message.records:
                    if args.csv:
                        writer.writerows(csv_rows(record))
                    else:
                        buf.write(json.dumps(json_format.MessageToDict(
                            record, preserving_proto_field_name=True), sort_keys=True) + "\n")
                    written += 1
                out.write(buf.getvalue().encode())
                out.flush()
                os.fsync(out.fileno())
                save_state(args.state, message.cursor, out.tell())
                if args.stop_after and n >= args.stop_after:
                    stream.cancel()
                    break
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.CANCELLED or not args.stop_after:
                print(f"export_records: {err.code().name}: {err.details()}; run again to resume",
                      file=sys.stderr)
                return 1
    print(f"export_records: {written} records written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
