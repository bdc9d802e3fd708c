#!/usr/bin/env python3
"""Weekly contact load per player by kind, from a running touchline-server.

    weekly_contact_load.py --server HOST:PORT --token-file F --squad N [--from YYYY-MM-DD]
                           [--to YYYY-MM-DD] [--csv] [--tls-ca CA.crt]

Lists the squad's contact events (ContactEventService.ListContactEvents, every page) and prints one
row per player and ISO week (Monday, UTC) with the count of each contact kind and the total. Players
are named when the token's role may see names (physio, coach, admin); an analyst sees pseudonyms.
Needs the Python stubs generated at build time (build/client/python/gen, on PYTHONPATH or found
automatically next to this script's build) and Debian's python3-grpcio.
"""
import argparse
import collections
import csv
import datetime
import sys


import touchline_stubs  # noqa: E402,F401  (puts the generated stubs on sys.path)
import grpc  # noqa: E402
from touchline.v1 import contact_event_pb2, contact_event_pb2_grpc  # noqa: E402
from touchline.v1 import squad_pb2, squad_pb2_grpc  # noqa: E402


def kind_name(kind):
    return contact_event_pb2.ContactKind.Name(kind).removeprefix("CONTACT_KIND_").lower().replace("_", "-")


def week_of(ts):
    day = datetime.datetime.fromtimestamp(ts.seconds, tz=datetime.timezone.utc).date()
    return day - datetime.timedelta(days=day.weekday())


def parse_day(text):
    d = datetime.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
    return int(d.timestamp())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--server", default="127.0.0.1:50051")
    ap.add_argument("--token-file", default="touchline.db.token")
    ap.add_argument("--squad", type=int, required=True)
    ap.add_argument("--from", dest="start", help="first day (UTC), YYYY-MM-DD")
    ap.add_argument("--to", dest="end", help="end day (UTC, exclusive), YYYY-MM-DD")
    ap.add_argument("--csv", action="store_true", help="CSV: player,week,kind...,total")
    ap.add_argument("--tls-ca", help="PEM CA of the server's certificate (TLS)")
    args = ap.parse_args(argv)

    with open(args.token_file, encoding="utf-8") as f:
        token = f.readline().strip()
    metadata = (("authorization", "Bearer " + token),)
    if args.tls_ca:
        with open(args.tls_ca, "rb") as f:
            channel = grpc.secure_channel(args.server, grpc.ssl_channel_credentials(f.read()))
    else:
        channel = grpc.insecure_channel(args.server)

    players = squad_pb2_grpc.PlayerServiceStub(channel)
    events = contact_event_pb2_grpc.ContactEventServiceStub(channel)
    try:
        names = {}
        req = squad_pb2.ListPlayersRequest(squad_id=args.squad, include_archived=True, page_size=500)
        while True:
            resp = players.ListPlayers(req, metadata=metadata, timeout=30)
            for p in resp.players:
                names[p.id or p.player_pseudonym] = p.name or p.player_pseudonym or str(p.id)
            if not resp.next_page_token:
                break
            req.page_token = resp.next_page_token

        load = collections.defaultdict(collections.Counter)  # (player, week) -> kind -> count
        kinds = set()
        req = contact_event_pb2.ListContactEventsRequest(squad_id=args.squad, page_size=500)
        if args.start:
            req.start_time.seconds = parse_day(args.start)
        if args.end:
            req.end_time.seconds = parse_day(args.end)
        while True:
            resp = events.ListContactEvents(req, metadata=metadata, timeout=30)
            for e in resp.contact_events:
                key = e.player_id or e.player_pseudonym
                player = names.get(key, str(key))
                k = kind_name(e.kind)
                kinds.add(k)
                load[(player, week_of(e.occur_time))][k] += 1
            if not resp.next_page_token:
                break
            req.page_token = resp.next_page_token
    except grpc.RpcError as err:
        print(f"weekly_contact_load: {err.code().name}: {err.details()}", file=sys.stderr)
        return 1

    columns = sorted(kinds)
    rows = [(player, week.isoformat(), [load[(player, week)][k] for k in columns],
             sum(load[(player, week)].values()))
            for player, week in sorted(load, key=lambda pw: (pw[0], pw[1]))]
    if args.csv:
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["player", "week"] + columns + ["total"])
        for player, week, counts, total in rows:
            w.writerow([player, week] + counts + [total])
        return 0
    header = ["player", "week of"] + columns + ["total"]
    body = [[player, week] + [str(c) for c in counts] + [str(total)] for player, week, counts, total in rows]
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    for r in [header] + body:
        print("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(r)))
    if not body:
        print("(no contact events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
