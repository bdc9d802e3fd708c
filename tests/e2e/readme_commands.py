#!/usr/bin/env python3
"""Runs the README's command blocks, literally, against a freshly started server (issue 17).

Every ```sh block of README.md is run in order, one command at a time (continuation lines joined),
in a scratch directory laid out like the repository (build/... and client/ link to this build and
source tree), with a server started there on 127.0.0.1:0 and its database at ./touchline.db, as the
Quick start leaves it. The only substitutions: the server's address (TOUCHLINE_SERVER, and
127.0.0.1:50051 in a command line becomes the real port, and 127.0.0.1:8080 the real HTTP port). A block preceded by
"<!-- readme-test: skip (why) -->" is not run. `export` lines set the environment of the commands
after them. A `flags watch` command runs until it has shown it keeps running (3 s).

The test fails when a command fails, or when its output lacks what the README says it shows
(EXPECT below, keyed by the command's text and its occurrence), or when an id the README uses does
not mean what its text says.

usage: readme_commands.py SOURCE_DIR BUILD_DIR
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# (text in the command, which occurrence: 1 = first) -> patterns its output must match; a pattern
# starting with "!" must not match.
EXPECT = {
    ("touchline seed", 1): [r"Flags now:\s+6 \(exacerbation 1, persistent 2, recurrent 1, "
                            r"suspected-pelvic-origin 1, window-closing 1\)",
                            r"Readiness:.*1 unavailable"],
    ("flags list --squad=1", 1): [r"Henry Ashcombe.*suspected-pelvic-origin",
                                  r"Kieran Whitlock.*window-closing \(day 28\)",
                                  r"Fraser Oakridge.*exacerbation",
                                  r"Tom Rathbone.*persistent", r"Will Ormerod.*persistent",
                                  r"Joe Moorcroft.*recurrent"],
    ("readiness get --squad=1", 1): [r"Ethan Pellow.*unavailable.*acute"],
    ("--json readiness get --squad=1", 1): [r"AVAILABILITY_UNAVAILABLE"],
    ("protocols plugins", 1): [r"piriformis"],
    ("rtp get --plan=2", 1): [r"participation\s+\S+.*\S+", r"pain-free jog at 70%\s+yes",
                              r"Nordic within 10%\s+Nordic asymmetry <= 10%\s+no"],
    ("protocols list --player=4", 1): [r"Henry Ashcombe", r"(?m)^17\s.*Piriformis 4-sign"],
    ("protocols adherence --assignment=17", 1): [r"partly"],
    ("--add_token_user=coach.sam", 1): [r"tl_"],
    ("complaints create --player=7", 1): [r"Complaint:\s+16\b", r"Player:\s+.*\(7\)"],
    ("complaints list --player=7 --open-only", 1): [r"(?m)^16\s.*open"],
    ("complaints check-in --complaint=16", 1): [r"better after rest|check"],
    ("complaints history --complaint=16", 1): [r"physio\.pat"],
    ("complaints check-in --complaint=11", 1): [r"Fraser Oakridge|settling"],
    # The coach's board: availability and non-clinical reasons only.
    ("readiness get --squad=1", 3): [r"Medical reason", r"!amstring complaint"],
    ("sessions list --squad=1 --kind=match", 1): [r"match"],
    ("load --squad=1", 1): [r"within|over"],
    ("rates --squad=1", 1): [r"PER-1000H"],
    # The analyst's flags: no names.
    ("flags list --squad=1", 3): [r"!Henry Ashcombe", r"suspected-pelvic-origin"],
    ("buf curl --protocol grpc", 1): [r"players"],
    # The Connect protocol (issue 20): the board as JSON, a refused complaint's field violations,
    # and buf curl speaking Connect with the schema from proto/.
    ("curl -s -X POST", 1): [r'"availability":"AVAILABILITY_UNAVAILABLE"',
                                                    r'"playerName":"Ethan Pellow"'],
    ("ComplaintService/CreateComplaint", 1): [r'"code":"invalid_argument"',
                                                  r'"type":"google.rpc.BadRequest"'],
    ("FlagService/ListFlags", 1): [r'"kind": "FLAG_KIND_SUSPECTED_PELVIC_ORIGIN"'],
    # The six-week queue (issue 19): the window-closing complaint first; Henry Ashcombe's
    # adherence report (the Quick start) took him out of it.
    ("flags windows --squad=1", 1): [r"(?m)^12\s+Kieran Whitlock \(49\)\s+15\s.*window-closing \(day 28\)",
                                     r"!Henry Ashcombe"],
    # Pelvic screens owed after awkward contact (issue 19): player 8's awkward tackle, then closed.
    ("screening list --squad=1 --overdue", 1): [r"(?m)^overdue \d+d\s+Luke Coverdale \(8\)\s+tackle-received"],
    ("assessments record --player=8 --kind=pelvic-screen", 1): [r"rotation none"],
    ("screening list --player=8 --from=-14d", 1): [r"(?m)^closed\s+Luke Coverdale \(8\)\s+tackle-received",
                                                 r"!overdue"],
    # Objective assessments (issue 19): the pelvic-origin player's tests, a new Nordic imbalance.
    ("assessments list --player=4", 1): [r"Henry Ashcombe", r"pelvic-screen\s+rotation left",
                                         r"neural tension \(L\)", r"strength deficit"],
    ("assessments record --player=7 --kind=nordic", 1): [r"Strength deficit: eccentric imbalance 17\.1%"],
    ("assessments record --player=7 --kind=slump", 1): [r"positive slump on the right"],
    ("assessments list --squad=1 --kind=slump", 1): [r"!Henry Ashcombe", r"neural tension"],
    # Clinical depth (issue 19 items 4-8): the classification with its reasons, the tear's grade,
    # screen and whole path, and outcomes by protocol after the Quick start's adherence report.
    ("rtp get --plan=1", 1): [r"Complaint:\s+12\b", r"Nordic within 10% of the other leg",
                              r"no apprehension on the Askling H-test"],
    ("--osiics=TT1", 1): [r"Subsequent:\s+subsequent related complaint: same side as complaint 3\b"],
    ("complaints get --complaint=14", 1): [r"Manu Wetherall",
                                            r"Nerve involved:\s+yes: .*history of lumbar disc herniation"],
    ("complaints get --complaint=12", 1): [r"Ethan Pellow", r"BAMIC:\s+2b"],
    ("screening list --player=48 --from=-7d", 1): [
        r"(?m)^closed\s+Ethan Pellow \(48\)\s+acute tear\s+complaint 12"],
    ("protocols list --player=48", 1): [r"Piriformis 4-sign", r"Side plank",
                                        r"Submaximal isometric hamstring hold"],
    ("outcomes --squad=1", 1): [r"piriformis-4-sign\s+1\.1\.0\s+by day 42\s+1\s",
                                r"piriformis-4-sign\s+1\.1\.0\s+never\s+[1-9]"],
}


def fail(message):
    print("FAIL: " + message)
    return 1


def commands_of(readme):
    """(line number, command) for every command of every sh block not marked skip."""
    out = []
    lines = readme.split("\n")
    i = 0
    skip_next = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("<!-- readme-test: skip"):
            skip_next = True
        elif line.strip() == "```sh":
            block_start = i + 1
            i += 1
            current, start = "", None
            while i < len(lines) and lines[i].strip() != "```":
                text = lines[i]
                if not skip_next and text.strip():
                    if start is None:
                        start = i + 1
                    if text.rstrip().endswith("\\"):
                        current += text.rstrip()[:-1] + " "
                    else:
                        out.append((start, current + text))
                        current, start = "", None
                i += 1
            skip_next = False
            del block_start
        elif line.strip():
            skip_next = skip_next and line.startswith("<!--")
        i += 1
    return out


def main(source, build):
    readme = open(os.path.join(source, "README.md")).read()
    commands = commands_of(readme)
    if len(commands) < 30:
        return fail(f"only {len(commands)} README commands found")
    work = tempfile.mkdtemp(prefix="readme-")
    server = None
    failures = 0
    try:
        # The repository's layout, pointing at this build and source tree.
        links = {
            "build/client/touchline": os.path.join(build, "client", "touchline"),
            "build/server/api/touchline-server": os.path.join(build, "server", "api", "touchline-server"),
            "build/server/backup/touchline-backup": os.path.join(build, "server", "backup", "touchline-backup"),
            "build/tools/node_modules/.bin/buf": os.path.join(build, "tools", "node_modules", ".bin", "buf"),
            "build/plugins": os.path.join(build, "plugins"),
            "client": os.path.join(source, "client"),
            "proto": os.path.join(source, "proto"),
            "deploy": os.path.join(source, "deploy"),
        }
        for name, target in links.items():
            path = os.path.join(work, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.exists(target):
                os.symlink(target, path)
        log = open(os.path.join(work, "server.log"), "w")
        server = subprocess.Popen(
            ["build/server/api/touchline-server", "--listen=127.0.0.1:0", "--db=touchline.db",
             "--http_listen=127.0.0.1:0",
             "--plugin_path=" + os.path.join(build, "plugins", "builtin")],
            cwd=work, stderr=log, stdout=subprocess.DEVNULL)
        port = None
        http_port = None
        for _ in range(200):
            started = open(os.path.join(work, "server.log")).read()
            m = re.search(r"started on .*\(port (\d+)\)", started)
            h = re.search(r"Connect protocol on .*\(port (\d+)\)", started)
            if m and h:
                port, http_port = m.group(1), h.group(1)
                break
            time.sleep(0.05)
        if port is None:
            print(open(os.path.join(work, "server.log")).read())
            return fail("the server did not start")
        env = dict(os.environ)
        env.pop("TOUCHLINE_TOKEN_FILE", None)
        env.pop("TOUCHLINE_TOKEN", None)
        env["TOUCHLINE_SERVER"] = "127.0.0.1:" + port
        env["TOUCHLINE_PYTHON_STUBS"] = os.path.join(build, "client", "python", "gen")

        seen = {}
        for line_no, command in commands:
            command = command.replace("127.0.0.1:50051", "127.0.0.1:" + port)
            command = command.replace("127.0.0.1:8080", "127.0.0.1:" + http_port)
            m = re.match(r"\s*export\s+(\w+)=(\S+)\s*$", command)
            if m:
                env[m.group(1)] = m.group(2)
                continue
            watch = "flags watch" in command
            try:
                run = subprocess.run(["bash", "-c", command], cwd=work, env=env,
                                     capture_output=True, text=True, timeout=3 if watch else 300)
                output = run.stdout + run.stderr
                if run.returncode != 0:
                    failures += fail(f"README line {line_no}: exit {run.returncode}: {command}\n{output}")
                    continue
            except subprocess.TimeoutExpired as e:
                if not watch:
                    failures += fail(f"README line {line_no}: timed out: {command}")
                    continue
                output = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
                if "error" in output.lower():
                    failures += fail(f"README line {line_no}: {command}: {output}")
            for (text, occurrence), patterns in EXPECT.items():
                if text not in command:
                    continue
                seen[text] = seen.get(text, 0) + 1
                if seen[text] != occurrence:
                    continue
                for pattern in patterns:
                    negate = pattern.startswith("!")
                    found = re.search(pattern[1:] if negate else pattern, output) is not None
                    if found == negate:
                        failures += fail(f"README line {line_no}: {command}\n  output "
                                         f"{'shows' if negate else 'lacks'} /{pattern.lstrip('!')}/:\n"
                                         f"{output}")
        # What the export lines promise: every record once, in both files.
        lines = open(os.path.join(work, "squad1.jsonl")).read().splitlines()
        if not lines:
            failures += fail("squad1.jsonl is empty")
        elif len(lines) != len(set(lines)):
            failures += fail(f"squad1.jsonl holds {len(lines) - len(set(lines))} records twice")
        csv_rows = open(os.path.join(work, "squad1-events.csv")).read().splitlines()
        if len(csv_rows) < 2:
            failures += fail("squad1-events.csv holds no events")
        if not [f for f in os.listdir(work) if re.match(r"touchline-\d{8}T\d{6}Z\.db$", f)]:
            failures += fail("the backup command wrote no backup")
        print(f"readme_commands: {len(commands)} README commands run, {failures} failures")
        return 1 if failures else 0
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
