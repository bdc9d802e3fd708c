#!/usr/bin/env python3
"""The container image built, run, stopped, upgraded and played from the Kubernetes manifest (issue 23).

    container_image.py REPO_ROOT CLI SERVER BACKUP

No Docker daemon and no registry here: podman (daemonless, rootful) with runc builds
deploy/Dockerfile from a local Debian 12 base made with debootstrap (--build-arg BASE=...). Checks:
  image    the image holds no database, token, key, audit log or export (its exported file system);
           its size is printed
  run      a container with a named volume for the database runs as a non-root user; its
           HEALTHCHECK reports SERVING; the CLI built on the host seeds a squad and reads readiness
           through the server's port; a token issued with `podman exec` works; `podman stop`
           (SIGTERM) stops it within the grace period, exit 0, "stopped" logged; a new container on
           the same volume serves the same data with the same tokens
  upgrade  a database and audit log written by the previous schema (tests/deploy/fixtures/v9) on a
           bind mount migrate on start; a backup taken with touchline-backup inside the container
           restores outside it with the host-built server
  kube     `podman kube play` of deploy/kubernetes/touchline.yaml (port and image substituted)
           starts the pod, its server answers, and the manifest's settings podman honours are in
           force (user, read-only root file system, dropped capabilities)

Podman flags for this machine (crun fails in hybrid cgroups, no overlay mounts, no networks):
--storage-driver=vfs --runtime=runc --cgroup-manager=cgroupfs, --network=host, and a containers.conf
with default_ulimits = [] and pids_limit = 0. With the host's network there is no port mapping:
the server listens on a free host port chosen here (TOUCHLINE_LISTEN=0.0.0.0:PORT).

Podman's store is kept in TOUCHLINE_PODMAN_DIR (default /var/tmp/touchline-podman) so the base
image and the apt layers survive between runs; the base is made again when its key (Debian mirror,
ISO week) changes. A lock file serialises runs sharing the store. Containers, pods and volumes this
test creates are removed on exit and, left by a killed run, on start (the store is the test's own).
"""
import datetime
import fcntl
import fnmatch
import hashlib
import io
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

import yaml

ROOT, CLI, SERVER, BACKUP = sys.argv[1:5]
STATE = os.environ.get("TOUCHLINE_PODMAN_DIR", "/var/tmp/touchline-podman")
IMAGE = "localhost/touchline:0.1.0"  # the tag the manifest runs
BASE_IMAGE = "localhost/localbase:bookworm"
UID = 10001  # the image's touchline user
PREFIX = "tl-test-"
FIXTURE = os.path.join(ROOT, "tests/deploy/fixtures/v9")

passes = 0
failures = []
started = time.monotonic()


def expect(cond, what, detail=""):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(what)
        print("FAIL:", what, ("\n" + detail) if detail else "", flush=True)
    return cond


def note(msg):
    print("[%4.0fs] %s" % (time.monotonic() - started, msg), flush=True)


def podman_base():
    return ["podman", "--root", os.path.join(STATE, "storage"), "--runroot",
            os.path.join(STATE, "run"), "--storage-driver", "vfs", "--runtime", "runc",
            "--cgroup-manager", "cgroupfs"]


ENV = dict(os.environ, CONTAINERS_CONF=os.path.join(STATE, "containers.conf"))


def podman(*args, check=True, timeout=600, **kw):
    r = subprocess.run(podman_base() + list(args), capture_output=True, text=True, env=ENV,
                       timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("podman %s: rc %d\n%s%s" % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def cli(port, token_file, *args, check=False):
    return subprocess.run([CLI, "--server=127.0.0.1:%d" % port, "--token-file=" + token_file] + list(args),
                          capture_output=True, text=True, timeout=120)


def free_port():
    # The server binds 0.0.0.0:PORT on the host's network: ask the kernel for a free one (not
    # 50051, which other tests and a developer's server use).
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def cleanup():
    """Removes every pod, container and volume of the test's own store (this run's, and those a
    killed earlier run left); images stay (the layer cache)."""
    podman("pod", "rm", "-a", "-f", check=False)
    podman("rm", "-a", "-f", "-t", "0", check=False)
    podman("volume", "rm", "-a", "-f", check=False)


def logs(name):
    r = podman("logs", name, check=False)
    return r.stdout + r.stderr


def wait_started(name, port, seconds=60):
    """Waits for the server's "started on" line; returns the log."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = logs(name)
        if "started on 0.0.0.0:%d" % port in text:
            return text
        state = podman("inspect", "--format", "{{.State.Status}}", name, check=False).stdout.strip()
        if state in ("exited", "stopped"):
            break
        time.sleep(0.5)
    text = logs(name)
    expect(False, "%s started on port %d" % (name, port), text)
    raise RuntimeError("container %s did not start" % name)


def run_container(name, port, volume_arg, extra=(), http_port=None):
    podman("run", "-d", "--name", name, "--network=host", "--health-interval=disable",
           "-e", "TOUCHLINE_LISTEN=0.0.0.0:%d" % port,
           "-e", "TOUCHLINE_HTTP_LISTEN=0.0.0.0:%d" % (http_port or free_port()),
           "-v", volume_arg, *extra, IMAGE)
    return wait_started(name, port)


def http_get(port, path, headers=None, body=None):
    """(status, headers, body) of a request to the container's HTTP listener."""
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=body,
                                 headers=headers or {}, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def stop_container(name):
    """podman stop (SIGTERM, then SIGKILL after 10 s): stopped cleanly within the grace period."""
    t0 = time.monotonic()
    podman("stop", "-t", "10", name)
    took = time.monotonic() - t0
    code = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
    text = logs(name)
    expect(code == "0", "%s exits 0 on SIGTERM (not %s)" % (name, code), text[-2000:])
    expect(took < 9.5, "%s stopped within the 8 s shutdown grace (took %.1f s)" % (name, took))
    expect("stopping on SIGTERM" in text and "stopped; database closed" in text,
           "%s logs its stop on SIGTERM and \"stopped; database closed\"" % name, text[-2000:])
    note("%s stopped in %.1f s, exit %s" % (name, took, code))
    return text


# ---------------------------------------------------------------------------------------- set-up
def debian_mirror():
    """The Debian mirror apt on this machine uses (deb822 .sources or sources.list)."""
    for path in sorted(os.listdir("/etc/apt/sources.list.d")) if os.path.isdir("/etc/apt/sources.list.d") else []:
        if path.endswith(".sources"):
            text = open(os.path.join("/etc/apt/sources.list.d", path), encoding="utf-8").read()
            for stanza in text.split("\n\n"):
                uris = re.search(r"(?m)^URIs:\s*(\S+)", stanza)
                suites = re.search(r"(?m)^Suites:\s*(.*)$", stanza)
                if uris and suites and "bookworm" in suites.group(1).split():
                    return uris.group(1)
    if os.path.exists("/etc/apt/sources.list"):
        for line in open("/etc/apt/sources.list", encoding="utf-8"):
            m = re.match(r"\s*deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm\s", line)
            if m:
                return m.group(1)
    return "http://deb.debian.org/debian"


# Bumped when slimify() changes, so that the base is made again.
BASE_VERSION = 1
# debian:bookworm-slim's apt and dpkg configuration (Debian's image builder, debuerreotype: its
# "minimizing config" and "slimify"): apt keeps no package caches (.deb, *.bin), no translations,
# compressed lists; dpkg installs no documentation (but copyright files), manuals or locales.
SLIM_APT = {
    "docker-clean": 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
                    '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
                    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
                    '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
                    'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
}
SLIM_EXCLUDE = ["/usr/share/doc/*", "/usr/share/groff/*", "/usr/share/info/*", "/usr/share/linda/*",
                "/usr/share/lintian/overrides/*", "/usr/share/locale/*", "/usr/share/man/*"]
SLIM_INCLUDE = ["/usr/share/doc/*/copyright", "/usr/share/locale/locale.alias"]


def slimify(rootfs):
    """The debootstrap tree made like debian:bookworm-slim (its size, and its apt-get installs
    leaving no caches behind)."""
    for name, text in SLIM_APT.items():
        with open(os.path.join(rootfs, "etc/apt/apt.conf.d", name), "w") as f:
            f.write(text)
    with open(os.path.join(rootfs, "etc/dpkg/dpkg.cfg.d/docker"), "w") as f:
        f.write("".join("path-exclude %s\n" % p for p in SLIM_EXCLUDE) +
                "".join("path-include %s\n" % p for p in SLIM_INCLUDE))
    with open(os.path.join(rootfs, "etc/dpkg/dpkg.cfg.d/docker-apt-speedup"), "w") as f:
        f.write("force-unsafe-io\n")
    # What debootstrap installed already: the same exclusions applied by hand.
    for top in sorted({p.split("*")[0].rstrip("/") for p in SLIM_EXCLUDE}):
        for dirpath, dirnames, names in os.walk(rootfs + top, topdown=False):
            for n in names:
                path = os.path.join(dirpath, n)[len(rootfs):]
                if (any(fnmatch.fnmatch(path, p) for p in SLIM_EXCLUDE)
                        and not any(fnmatch.fnmatch(path, p) for p in SLIM_INCLUDE)):
                    os.remove(rootfs + path)
            for d in dirnames:
                try:
                    os.rmdir(os.path.join(dirpath, d))  # only when empty
                except OSError:
                    pass
    shutil.rmtree(rootfs + "/var/cache/apt/archives", ignore_errors=True)
    os.makedirs(rootfs + "/var/cache/apt/archives/partial", exist_ok=True)
    for n in os.listdir(rootfs + "/var/cache/apt"):
        if n.endswith(".bin"):
            os.remove(os.path.join(rootfs, "var/cache/apt", n))
    lists = rootfs + "/var/lib/apt/lists"
    for n in os.listdir(lists) if os.path.isdir(lists) else []:
        if n not in ("partial", "lock"):
            os.remove(os.path.join(lists, n))


def ensure_base():
    """localbase:bookworm from debootstrap, made again when the mirror or the ISO week changes (so
    security fixes arrive within a week); reused otherwise (about a minute saved, and the image's
    apt layers stay cached)."""
    mirror = debian_mirror()
    year, week, _ = datetime.date.today().isocalendar()
    key = "%s %d-W%02d slim%d" % (mirror, year, week, BASE_VERSION)
    r = podman("image", "inspect", "--format", "{{index .Labels \"touchline.base-key\"}}", BASE_IMAGE,
               check=False)
    if r.returncode == 0 and r.stdout.strip() == key.replace(" ", "_"):
        note("base %s reused (%s)" % (BASE_IMAGE, key))
        return
    note("base: debootstrap --variant=minbase bookworm from %s" % mirror)
    with tempfile.TemporaryDirectory(dir=STATE) as tmp:
        rootfs = os.path.join(tmp, "rootfs")
        subprocess.run(["debootstrap", "--variant=minbase", "bookworm", rootfs, mirror],
                       check=True, capture_output=True, timeout=1200)
        # apt in the image uses the same Debian sources as this machine (bookworm, -updates,
        # -security when configured here), as debian:bookworm-slim does.
        for src in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
            if os.path.exists(src) and os.path.getsize(src) > 0:
                shutil.copy(src, rootfs + src)
                if src.endswith(".sources") and os.path.exists(rootfs + "/etc/apt/sources.list"):
                    os.remove(rootfs + "/etc/apt/sources.list")
                break
        slimify(rootfs)
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(podman_base() + ["import", "--change", "LABEL touchline.base-key=" + key.replace(" ", "_"),
                                        # as in debian:bookworm-slim's configuration
                                        "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                        "--change", "CMD [\"bash\"]", "-", BASE_IMAGE],
                       stdin=tar.stdout, check=True, capture_output=True, env=ENV, timeout=600)
        tar.wait()
    # LABEL values cannot hold a space through --change: the key is stored with "_".
    key_stored = podman("image", "inspect", "--format", "{{index .Labels \"touchline.base-key\"}}",
                        BASE_IMAGE).stdout.strip()
    assert key_stored == key.replace(" ", "_"), key_stored
    # Images built on an older base (and their cached layers) are of no further use.
    podman("image", "prune", "-f", check=False)


def build_image():
    note("podman build -f deploy/Dockerfile --build-arg BASE=%s -t %s" % (BASE_IMAGE, IMAGE))
    t0 = time.monotonic()
    # --format docker: the OCI image format has no HEALTHCHECK (podman drops it with a warning).
    # This machine reaches the npm registry through a TLS-intercepting proxy whose CA is in the
    # host's bundle: the web app's npm ci in the build stage gets it as the "ca" build secret.
    ca = ["--secret", "id=ca,src=/etc/ssl/certs/ca-certificates.crt"] \
        if os.path.exists("/etc/ssl/certs/ca-certificates.crt") else []
    r = subprocess.run(podman_base() + ["build", "--format", "docker", "--network=host", "--layers",
                                        *ca,
                                        "--build-arg", "BASE=" + BASE_IMAGE, "-f", "deploy/Dockerfile",
                                        "-t", IMAGE, "."],
                       cwd=ROOT, capture_output=True, text=True, env=ENV, timeout=2700)
    if r.returncode != 0:
        print(r.stdout[-6000:], r.stderr[-4000:])
        raise RuntimeError("podman build failed")
    note("image built in %.0f s" % (time.monotonic() - t0))
    # Layers of earlier builds of this image (a new source tree is a new COPY layer): vfs keeps a
    # full copy of the file system per layer, so they are removed, keeping the tagged images.
    podman("image", "prune", "-f", check=False)
    size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip())
    print("image size: %s %.1f MB (%d bytes)" % (IMAGE, size / 1e6, size), flush=True)


# ------------------------------------------------------------------------------------ the checks
SECRET_NAMES = re.compile(r"(\.db|\.db-wal|\.db-shm|\.token|\.audit|\.audit-wal|\.audit-shm|"
                          r"\.pseudonym-key|\.key|\.jsonl|\.csv|\.cursor|\.state)$")
# Public certificates of ca-certificates and openssl's configuration are expected; no private key
# is (a *.key or *.pem under /etc/ssl/private would be one).
ALLOWED_DIRS = ("etc/ssl/certs/", "usr/share/ca-certificates/", "usr/lib/ssl/certs")
ALLOWED_FILES = ("var/lib/shells.state",)  # debianutils' record of /etc/shells
DEV_FILES = re.compile(r"^(usr/include/|usr/(local/)?lib/([^/]+/)?cmake/|usr/(local/)?share/touchline/proto/)")


def check_image_contents():
    """Exports the image's file system (a container never started) and looks at every file: no
    secret by name, no SQLite file by content, nothing in /var/lib/touchline, no source tree."""
    name = PREFIX + "contents"
    podman("create", "--name", name, IMAGE)
    try:
        with tempfile.TemporaryFile(dir=STATE) as f:
            subprocess.run(podman_base() + ["export", name], stdout=f, check=True, env=ENV, timeout=600)
            f.seek(0)
            found, sqlite_files, state_files, dev_files, files = [], [], [], [], 0
            with tarfile.open(fileobj=f, mode="r:") as tar:
                for m in tar:
                    path = m.name.lstrip("./")
                    if path.startswith("var/lib/touchline/") and path != "var/lib/touchline/":
                        state_files.append(path)
                    if not m.isfile():
                        continue
                    files += 1
                    if (SECRET_NAMES.search(path) and not path.startswith(ALLOWED_DIRS)
                            and path not in ALLOWED_FILES):
                        found.append(path)
                    if path.startswith(("etc/ssl/private/", "src/", "stage/", "build/")):
                        found.append(path)
                    # The SDK's and developers' install components: headers, CMake packages, .proto.
                    if DEV_FILES.match(path):
                        dev_files.append(path)
                    head = tar.extractfile(m).read(16)
                    if head == b"SQLite format 3\x00":
                        sqlite_files.append(path)
    finally:
        podman("rm", "-f", name, check=False)
    expect(files > 1000, "the exported image has files (%d)" % files)
    expect(not found, "the image holds no database, token, key, audit log, export or sources: %s" % found)
    expect(not sqlite_files, "the image holds no SQLite file: %s" % sqlite_files)
    expect(not dev_files, "the image holds no headers, CMake packages or .proto files (usr/include, "
           "lib/*/cmake, share/touchline/proto): %s" % dev_files[:20])
    expect(not state_files, "the image's /var/lib/touchline is empty: %s" % state_files)
    user = podman("image", "inspect", "--format", "{{.Config.User}}", IMAGE).stdout.strip()
    expect(user.split(":")[0] not in ("", "root", "0"), "the image's USER is not root (%r)" % user)
    note("image contents: %d files, none a secret or a database" % files)


def check_run():
    port = free_port()
    volume = PREFIX + "data"
    podman("volume", "create", volume)
    a = PREFIX + "a"
    http_port = free_port()
    note("run %s: volume %s, TOUCHLINE_LISTEN=0.0.0.0:%d, TOUCHLINE_HTTP_LISTEN=0.0.0.0:%d"
         % (a, volume, port, http_port))
    run_container(a, port, volume + ":/var/lib/touchline", http_port=http_port)

    # The server itself (PID 1, exec'd by the entrypoint) runs as the image's user, not root.
    status = podman("exec", a, "cat", "/proc/1/status").stdout
    uids = re.search(r"(?m)^Uid:\s+(\d+)\s+(\d+)", status)
    expect(uids and uids.group(1) == str(UID) and uids.group(2) == str(UID),
           "the server (PID 1) runs as uid %d" % UID, status)
    cmdline = podman("exec", a, "cat", "/proc/1/cmdline").stdout.replace("\0", " ")
    expect(cmdline.startswith("touchline-server "), "PID 1 is touchline-server (exec)", cmdline)

    # The image's HEALTHCHECK: podman runs it (healthy), and run by hand it prints SERVING.
    test = json.loads(podman("inspect", "--format", "{{json .Config.Healthcheck.Test}}", a).stdout)
    expect(test and test[0] == "CMD", "the container has the image's HEALTHCHECK", str(test))
    r = podman("healthcheck", "run", a, check=False)
    expect(r.returncode == 0 and "unhealthy" not in r.stdout, "podman healthcheck run: healthy",
           r.stdout + r.stderr)
    r = podman("exec", a, *test[1:], check=False)
    expect(r.returncode == 0 and r.stdout.strip() == "SERVING", "the HEALTHCHECK command prints SERVING",
           r.stdout + r.stderr)

    # The CLI built on the host, through the server's port, with the admin token the first start
    # wrote beside the database on the volume.
    mount = podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume).stdout.strip()
    token = os.path.join(mount, "touchline.db.token")
    expect(os.path.exists(token), "the first start wrote the admin token on the volume")
    r = cli(port, token, "seed")
    expect(r.returncode == 0 and re.search(r"Readiness:.*1 unavailable", r.stdout),
           "CLI seeds a squad through port %d" % port, r.stdout + r.stderr)
    r = cli(port, token, "readiness", "get", "--squad=1")
    expect(r.returncode == 0 and re.search(r"Ethan Pellow.*unavailable.*acute", r.stdout),
           "CLI reads readiness (Ethan Pellow unavailable, acute)", r.stdout + r.stderr)
    # A token issued in the running container, as the README says for `kubectl exec`.
    r = podman("exec", a, "touchline-server", "--db=/var/lib/touchline/touchline.db",
               "--add_token_user=physio.pat", "--add_token_role=physio", check=False)
    physio = re.search(r"\btl_\S+", r.stdout)
    expect(r.returncode == 0 and physio, "podman exec issues a physio token", r.stdout + r.stderr)
    physio_file = os.path.join(WORK, "physio.token")
    with open(physio_file, "w") as f:
        f.write(physio.group(0) if physio else "")
    os.chmod(physio_file, 0o600)
    # The staff web app and the Connect protocol on TOUCHLINE_HTTP_LISTEN, as a browser meets them.
    status, headers, page = http_get(http_port, "/")
    expect(status == 200 and '<div id="app">' in page, "the image serves the web app at /", page[:500])
    csp = headers.get("Content-Security-Policy", "")
    expect("script-src 'self'" in csp and "unsafe-inline" not in csp,
           "the web app comes with its Content-Security-Policy", csp)
    status, _, board = http_get(
        http_port, "/touchline.v1.ReadinessService/GetSquadReadiness",
        {"Authorization": "Bearer " + (physio.group(0) if physio else ""),
         "Content-Type": "application/json"}, b'{"squadId": "1"}')
    expect(status == 200 and '"playerName":"Ethan Pellow"' in board,
           "a Connect call through the image's HTTP listener reads the board", board[:500])
    before = {}
    for what in (("squads", "list"), ("players", "list", "--squad=1"), ("flags", "list", "--squad=1")):
        r = cli(port, physio_file, "--json", *what)
        expect(r.returncode == 0 and len(r.stdout) > 10, "physio reads %s" % " ".join(what), r.stdout + r.stderr)
        before[what] = r.stdout
    stop_container(a)

    # A new container on the same volume: the same data, the same tokens, no new bootstrap token.
    token_before = open(token).read()
    b = PREFIX + "b"
    port = free_port()
    text = run_container(b, port, volume + ":/var/lib/touchline")
    expect("no token existed" not in text, "the second container issued no new admin token", text)
    expect(open(token).read() == token_before, "the admin token file is unchanged")
    for what, out in before.items():
        r = cli(port, physio_file, "--json", *what)
        if what[0] == "flags":
            # The flags list carries "as_of", the time it was evaluated (now): everything else, each
            # flag with its players, complaints, events, times and reasons, is the same.
            same = strip_as_of(r.stdout) == strip_as_of(out) and strip_as_of(out)["flags"]
        else:
            same = r.stdout == out
        expect(r.returncode == 0 and same, "the new container serves the same %s" % " ".join(what),
               r.stdout[:1000] + r.stderr)
    r = cli(port, token, "readiness", "get", "--squad=1")
    expect(r.returncode == 0 and re.search(r"Ethan Pellow.*unavailable.*acute", r.stdout),
           "the new container: readiness with the admin token", r.stdout + r.stderr)
    stop_container(b)


def strip_as_of(text):
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    doc.pop("as_of", None)
    return doc


def user_version(path):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def check_upgrade():
    """The previous schema's database on a bind mount migrates in the new image; its backup,
    taken inside the container, restores outside with the host's server."""
    data = os.path.join(WORK, "upgrade")
    os.mkdir(data)
    for f in ("touchline.db", "touchline.db.audit", "touchline.db.token"):
        shutil.copy(os.path.join(FIXTURE, f), os.path.join(data, f))
    token = os.path.join(WORK, "fixture.token")
    shutil.copy(os.path.join(FIXTURE, "touchline.db.token"), token)
    expect(user_version(os.path.join(data, "touchline.db")) == 9, "the fixture is schema v9")
    expect(user_version(os.path.join(data, "touchline.db.audit")) == 1, "the fixture's audit log is v1")
    for dirpath, _, names in os.walk(data):
        os.chown(dirpath, UID, UID)
        for n in names:
            os.chown(os.path.join(dirpath, n), UID, UID)
            os.chmod(os.path.join(dirpath, n), 0o600)
    os.chmod(data, 0o750)

    c = PREFIX + "upgrade"
    port = free_port()
    note("run %s on the v9 fixture (bind mount)" % c)
    text = run_container(c, port, data + ":/var/lib/touchline")
    expect("no token existed" not in text, "the migrated database keeps its tokens", text)
    r = cli(port, token, "squads", "get", "--id=1")
    expect(r.returncode == 0 and "Fixture XV" in r.stdout, "the fixture's squad is read after the migration",
           r.stdout + r.stderr)
    r = cli(port, token, "--json", "events", "list", "--squad=1", "--page-size=1000")
    fixture_events = len(re.findall(r"\"v9-\d+\"", r.stdout))
    expect(r.returncode == 0 and fixture_events == 6, "the fixture's 6 contact events are read (%d)" % fixture_events,
           r.stdout[-1000:] + r.stderr)
    r = cli(port, token, "events", "record", "--player=1", "--kind=scrum", "--at=-1m", "--key=after-upgrade")
    expect(r.returncode == 0, "a write after the migration", r.stdout + r.stderr)
    expect(user_version(os.path.join(data, "touchline.db")) == 13, "the database migrated to schema v13")
    expect(user_version(os.path.join(data, "touchline.db.audit")) == 2, "the audit log migrated to v2")

    # Online backup in the running container, with the image's touchline-backup.
    r = podman("exec", c, "touchline-backup", "--db=/var/lib/touchline/touchline.db",
               "--backup_to=/var/lib/touchline/backup.db", check=False)
    expect(r.returncode == 0 and "integrity_check ok" in r.stdout + r.stderr,
           "touchline-backup inside the container", r.stdout + r.stderr)
    stop_container(c)

    # Restore outside, as the README says, and start the host-built server on it.
    restored = os.path.join(WORK, "restored")
    os.mkdir(restored)
    shutil.copy(os.path.join(data, "backup.db"), os.path.join(restored, "touchline.db"))
    shutil.copy(os.path.join(data, "backup.db.audit"), os.path.join(restored, "touchline.db.audit"))
    log = open(os.path.join(WORK, "restored.log"), "w+")
    server = subprocess.Popen([SERVER, "--listen=127.0.0.1:0", "--db=" + os.path.join(restored, "touchline.db"),
                               "--plugin_path=none"], stderr=log, stdout=log)
    try:
        port = None
        for _ in range(200):
            log.seek(0)
            m = re.search(r"started on .*\(port (\d+)\)", log.read())
            if m:
                port = int(m.group(1))
                break
            time.sleep(0.05)
        log.seek(0)
        expect(port, "the host's server starts on the restored backup", log.read())
        if port:
            r = cli(port, token, "--json", "events", "list", "--squad=1", "--page-size=1000")
            expect(r.returncode == 0 and '"after-upgrade"' in r.stdout and
                   len(re.findall(r"\"v9-\d+\"", r.stdout)) == 6,
                   "the restored backup holds the fixture's events and the write after the upgrade",
                   r.stdout[-1000:] + r.stderr)
            r = cli(port, token, "--json", "audit", "list", "--page-size=1000")
            expect(r.returncode == 0 and "CreateContactEvent" in r.stdout,
                   "the restored audit log names the write", r.stdout[-1000:] + r.stderr)
            expect(not os.path.exists(os.path.join(restored, "touchline.db.token")),
                   "the restored server issued no new admin token")
    finally:
        server.send_signal(signal.SIGTERM)
        rc = server.wait(timeout=30)
    expect(rc == 0, "the host's server on the restored backup stops with exit 0 (%s)" % rc)


KUBE_POD = "touchline-pod-0"  # podman's name for the Deployment's one replica
KUBE_CONTAINER = KUBE_POD + "-touchline"


def kube_manifest(port):
    """deploy/kubernetes/touchline.yaml as podman 4.3 on the host's network can play it: the
    listen port (ConfigMap) and the probes' port are the free port; the container's `ports` are
    dropped (podman refuses port mappings with host networking); the grpc probes become exec probes
    running the same grpc.health.v1 check with the touchline CLI, since podman turns only exec,
    httpGet and tcpSocket liveness probes into a health check and ignores grpc ones. Everything else
    is the manifest as committed."""
    docs = [d for d in yaml.safe_load_all(open(os.path.join(ROOT, "deploy/kubernetes/touchline.yaml"))) if d]
    probes = {}
    for d in docs:
        if d["kind"] == "ConfigMap":
            d["data"]["TOUCHLINE_LISTEN"] = "0.0.0.0:%d" % port
            d["data"]["TOUCHLINE_HTTP_LISTEN"] = "0.0.0.0:%d" % free_port()
        if d["kind"] == "Deployment":
            c = d["spec"]["template"]["spec"]["containers"][0]
            c.pop("ports", None)
            for name in ("startupProbe", "livenessProbe", "readinessProbe"):
                probe = c.get(name)
                if probe and "grpc" in probe:
                    del probe["grpc"]
                    probe["exec"] = {"command": ["touchline", "--server=127.0.0.1:%d" % port,
                                                 "--token-file=/dev/null", "health"]}
                    probes[name] = probe
    path = os.path.join(WORK, "touchline.yaml")
    with open(path, "w") as f:
        yaml.safe_dump_all(docs, f)
    return path, docs, probes


def check_kube():
    port = free_port()
    path, docs, probes = kube_manifest(port)
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    note("podman kube play --network host deploy/kubernetes/touchline.yaml (port %d)" % port)
    r = podman("kube", "play", "--network", "host", path, check=False)
    expect(r.returncode == 0, "podman kube play starts the manifest", r.stdout + r.stderr)
    if r.returncode != 0:
        return
    c = KUBE_CONTAINER
    wait_started(c, port)
    image = podman("inspect", "--format", "{{.ImageName}}", c).stdout.strip()
    expect(image.endswith("touchline:0.1.0"), "the pod runs the image built here (%s)" % image)

    # The pod's and container's securityContext: user and group 10001, no privilege escalation, no
    # capabilities even in the bounding set, seccomp on, read-only root file system, /tmp writable.
    status = podman("exec", c, "cat", "/proc/1/status").stdout
    field = lambda k: (re.search(r"(?m)^%s:\s+(.*)$" % k, status) or re.match("(.*)", "")).group(1).split()
    expect(field("Uid")[:2] == [str(pod["securityContext"]["runAsUser"])] * 2, "runAsUser", status)
    expect(field("Gid")[:2] == [str(pod["securityContext"]["runAsGroup"])] * 2, "runAsGroup", status)
    expect(field("NoNewPrivs") == ["1"], "allowPrivilegeEscalation: false (NoNewPrivs)", status)
    expect(field("CapBnd") == ["0000000000000000"], "capabilities drop ALL (empty bounding set)", status)
    expect(field("Seccomp") == ["2"], "seccompProfile RuntimeDefault (seccomp filter)", status)
    r = podman("exec", c, "sh", "-c", "touch /usr/probe", check=False)
    expect(r.returncode != 0 and "Read-only" in r.stderr + r.stdout, "readOnlyRootFilesystem", r.stdout + r.stderr)
    r = podman("exec", c, "sh", "-c", "touch /tmp/probe && rm /tmp/probe", check=False)
    expect(r.returncode == 0, "the emptyDir /tmp is writable", r.stdout + r.stderr)
    memory = podman("inspect", "--format", "{{.HostConfig.Memory}}", c).stdout.strip()
    expect(memory == str(512 * 1024 * 1024), "limits.memory 512Mi (%s)" % memory)
    # The ConfigMap's flags reach the server.
    cmdline = podman("exec", c, "cat", "/proc/1/cmdline").stdout.split("\0")
    expect("--synchronous=full" in cmdline and "--shutdown_grace_seconds=10" in cmdline,
           "the ConfigMap's TOUCHLINE_FLAGS reach the server", str(cmdline))

    # The liveness probe as podman's health check: declared as in the manifest, and healthy.
    hc = json.loads(podman("inspect", "--format", "{{json .Config.Healthcheck}}", c).stdout or "null") or {}
    live = probes.get("livenessProbe", {})
    # podman 4.3 runs an exec probe as a shell command: CMD-SHELL, the command's words, "|| exit 1".
    command = live.get("exec", {}).get("command")
    expect(hc.get("Test") in (["CMD"] + command, ["CMD-SHELL"] + command + ["||", "exit", "1"]),
           "the livenessProbe is the container's health check", json.dumps(hc))
    seconds = lambda k: int(live.get(k, 0)) * 1000000000
    expect((hc.get("Retries"), hc.get("Interval"), hc.get("Timeout"), hc.get("StartPeriod")) ==
           (live.get("failureThreshold"), seconds("periodSeconds"), seconds("timeoutSeconds"),
            seconds("initialDelaySeconds")),
           "the livenessProbe's failureThreshold, periodSeconds, timeoutSeconds and initialDelaySeconds",
           json.dumps(hc))
    r = podman("healthcheck", "run", c, check=False)
    expect(r.returncode == 0 and "unhealthy" not in r.stdout, "podman healthcheck run (livenessProbe): healthy",
           r.stdout + r.stderr)
    # The probes' command by hand (readiness and startup are not run by podman 4.3): SERVING.
    for name, probe in probes.items():
        r = podman("exec", c, *probe["exec"]["command"], check=False)
        expect(r.returncode == 0 and r.stdout.strip() == "SERVING", "%s's check prints SERVING" % name,
               r.stdout + r.stderr)

    # The CLI from outside, with the first-start token on the PersistentVolumeClaim's volume.
    claim = next(d for d in docs if d["kind"] == "PersistentVolumeClaim")["metadata"]["name"]
    mount = podman("volume", "inspect", "--format", "{{.Mountpoint}}", claim, check=False).stdout.strip()
    token = os.path.join(mount, "touchline.db.token")
    r = cli(port, token, "squads", "create", "--name=Kube XV")
    expect(r.returncode == 0, "CLI writes to the pod through port %d (token on the claim's volume)" % port,
           r.stdout + r.stderr)
    r = cli(port, token, "squads", "list")
    expect(r.returncode == 0 and "Kube XV" in r.stdout, "CLI reads the pod's squad", r.stdout + r.stderr)

    # Stopping the pod: SIGTERM, the server's 10 s grace inside terminationGracePeriodSeconds.
    t0 = time.monotonic()
    podman("pod", "stop", "-t", str(pod.get("terminationGracePeriodSeconds", 30)), KUBE_POD)
    took = time.monotonic() - t0
    code = podman("inspect", "--format", "{{.State.ExitCode}}", c).stdout.strip()
    text = logs(c)
    expect(code == "0" and "stopped; database closed" in text,
           "the pod stops cleanly (exit %s, %.1f s)" % (code, took), text[-2000:])
    note("pod stopped in %.1f s, exit %s" % (took, code))
    podman("kube", "down", path, check=False)


WORK = None


def main():
    global WORK
    if os.geteuid() != 0:
        print("FAIL: this test runs rootful podman (bind mounts owned by uid %d): run it as root" % UID)
        return 1
    for tool in ("podman", "runc", "debootstrap"):
        if not shutil.which(tool):
            print("FAIL: %s is missing (deploy/dev.sh test installs podman runc debootstrap)" % tool)
            return 1
    os.makedirs(STATE, exist_ok=True)
    with open(os.path.join(STATE, "containers.conf"), "w") as f:
        # crun/runc here cannot set rlimits nor a pids limit in this cgroup set-up.
        f.write("[containers]\ndefault_ulimits = []\npids_limit = 0\n")
    lock = open(os.path.join(STATE, "lock"), "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    # ctest's timeout or a Ctrl-C: still remove the containers (finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("container_image: terminated"))
    WORK = tempfile.mkdtemp(prefix="tl-container-")
    os.chmod(WORK, 0o755)  # the bind mount below it is opened by uid 10001
    cleanup()
    try:
        ensure_base()
        build_image()
        check_image_contents()
        check_run()
        check_upgrade()
        check_kube()
    except Exception as e:  # a set-up step that failed: reported as a failure, then cleaned up
        expect(False, "unexpected error: %s" % e)
    finally:
        cleanup()
        shutil.rmtree(WORK, ignore_errors=True)
    print("container_image: %d passed, %d failed in %.0f s" % (passes, len(failures), time.monotonic() - started))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
