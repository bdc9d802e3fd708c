#!/usr/bin/env python3
"""Static checks of deploy/ (no container engine or cluster on the build machine).

    check_deploy.py REPO_ROOT [TOUCHLINE_SERVER_BINARY]

Dockerfile: multi-stage from ${BASE} (default debian:bookworm-slim), no -dev or compiler packages in the runtime
stage, which installs a Debian package for every shared library the built server links (ldd, dpkg -S),
non-root USER, gRPC HEALTHCHECK, exec form. systemd unit: `systemd-analyze verify` when available,
and the hardening directives. Example environment file: the variables the unit and image use.
Kubernetes manifest: parses (python3-yaml), a PVC, one replica with Recreate, gRPC liveness and
readiness probes on the container port, non-root security context, the volume mounted from the PVC.
The replicated shape (issue 22), deploy/kubernetes/touchline-replicas.yaml and
deploy/compose/touchline-replicas.yaml: both parse; at least two touchline-server replicas whose
--store is a postgresql URI naming both database hosts with target_session_attrs=read-write; every
flag they pass is one the server knows; one pseudonym key and the password from a secret mounted
read-only; gRPC probes on the container port; PostgreSQL 15 with synchronous_standby_names=* on the
primary's command line (never ALTER SYSTEM), a standby made by pg_basebackup -R, the failover sidecar
(touchline-pg-failover.sh with --primary, --standby-data and --fence); every embedded shell script
passes `sh -n`. deploy/postgresql/touchline-pg-failover.sh: `sh -n`, and --help exits 0.

usage: check_deploy.py REPO_ROOT [TOUCHLINE_SERVER_BINARY]   (the server: to list its flags)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

import yaml

if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
    print(__doc__.strip())
    sys.exit(0 if len(sys.argv) > 1 else 2)
ROOT = sys.argv[1]
SERVER = sys.argv[2] if len(sys.argv) > 2 else None
failures = []
passes = 0


def expect(cond, what):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(what)
        print("FAIL:", what)


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- Dockerfile
docker = read("deploy/Dockerfile")
logical = re.sub(r"\\\n", " ", docker)  # join continuation lines
lines = [l.strip() for l in logical.splitlines() if l.strip() and not l.strip().startswith("#")]
stages = []  # [(from_line, [instructions])]
global_args = {}  # ARGs before the first FROM (usable in FROM lines)
for l in lines:
    if l.upper().startswith("FROM "):
        stages.append((l, []))
    elif stages:
        stages[-1][1].append(l)
    elif l.upper().startswith("ARG "):
        name, _, default = l.split(None, 1)[1].partition("=")
        global_args[name.strip()] = default.strip()
expect(len(stages) >= 2, "Dockerfile is multi-stage")
# The base is a build argument (a local debootstrap image in tests/deploy/container_image.sh)
# whose default is Docker Hub's Debian 12 slim image.
expect(global_args.get("BASE") == "debian:bookworm-slim", "ARG BASE=debian:bookworm-slim before the first FROM")
expect(all(re.match(r"FROM (debian:bookworm-slim|\$\{BASE\}|\$BASE)( AS \w+)?$", s[0], re.I) for s in stages),
       "every stage FROM ${BASE} (debian:bookworm-slim)")
runtime = stages[-1][1] if stages else []


def apt_packages(instrs):
    pkgs = []
    for i in instrs:
        for m in re.finditer(r"apt-get install ([^&;]*)", i):
            pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
    return pkgs


runtime_pkgs = apt_packages(runtime)
expect(runtime_pkgs, "runtime stage installs its packages with apt-get")
expect(not [p for p in runtime_pkgs if p.endswith("-dev") or p in
            ("build-essential", "cmake", "gcc", "g++", "protobuf-compiler", "protobuf-compiler-grpc")],
       "runtime stage installs no -dev or build packages: %s" % runtime_pkgs)
expect(any(i.startswith("COPY --from=") for i in runtime), "runtime stage copies from the build stage")
# The SDK's and developers' install components (headers, CMake packages, .proto files) stay out
# of the image: the build stage installs the default component only.
build_stage = [i for s in stages[:-1] for i in s[1]]
expect(any(re.search(r"cmake --install \S+ --component Unspecified", i) for i in build_stage),
       "build stage installs only the default component (cmake --install --component Unspecified)")
users = [i.split()[1] for i in runtime if i.upper().startswith("USER ")]
expect(users and users[-1].split(":")[0] not in ("root", "0"), "runtime runs as a non-root USER")
hc = [i for i in runtime if i.upper().startswith("HEALTHCHECK ")]
expect(hc and "health" in hc[0] and "CMD" in hc[0], "gRPC HEALTHCHECK through `touchline health`")
expect(any(i.upper().startswith("ENTRYPOINT [") and "exec touchline-server" in i for i in runtime),
       "ENTRYPOINT execs touchline-server (PID 1 gets SIGTERM)")
expect(any(i.upper().startswith("EXPOSE 50051") for i in runtime), "EXPOSE 50051")
expect(any("rm -rf /var/lib/apt/lists" in i for i in runtime), "apt lists removed in runtime stage")
# absl's --help exits 1, which would fail the image build; --version exits 0.
expect(not any(i.startswith("RUN") and "touchline-server --help" in i for i in runtime),
       "no `touchline-server --help` in a RUN (exits 1)")
ignore = read(".dockerignore").split()
expect("build" in ignore and ".git" in ignore, ".dockerignore keeps build/ and .git out of the context")
expect(any(p.endswith(".token") for p in ignore), ".dockerignore keeps tokens out of the context")

if SERVER and shutil.which("ldd") and shutil.which("dpkg"):
    out = subprocess.run(["ldd", SERVER], capture_output=True, text=True).stdout
    base = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g", "libcrypt1"}  # in bookworm-slim already
    needed = set()
    libs = {}  # as linked -> candidate paths dpkg may know it by (usrmerge)
    for line in out.splitlines():
        m = re.search(r"=> (/\S+)", line)
        if not m or "touchline_proto" in m.group(1):
            continue
        path = os.path.realpath(m.group(1))
        libs[m.group(1)] = {m.group(1), path, path.replace("/usr/lib/", "/lib/", 1),
                            path.replace("/lib/", "/usr/lib/", 1)}
    owners = {}  # path -> package, from one dpkg -S call
    every = sorted(set().union(*libs.values())) if libs else []
    r = subprocess.run(["dpkg", "-S"] + every, capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if ": " in line:
            pkg, path = line.split(": ", 1)
            owners[path.strip()] = pkg.split(":")[0].split(",")[0].strip()
    for lib, candidates in sorted(libs.items()):
        owner = next((owners[c] for c in candidates if c in owners), None)
        expect(owner is not None, "library %s belongs to a Debian package" % lib)
        if owner and owner not in base:
            needed.add(owner)
    # What apt brings with the named packages counts (libpq5 brings Kerberos, LDAP, GnuTLS ...):
    # the closure of their dependencies as this Debian installed them.
    covered = set(runtime_pkgs)
    todo = list(runtime_pkgs)
    while todo:
        r = subprocess.run(["dpkg-query", "-W", "-f=${Depends},${Pre-Depends}", todo.pop()],
                           capture_output=True, text=True)
        for dep in re.split(r"[,|]", r.stdout):
            name = dep.strip().split(" ")[0].split(":")[0]
            if name and name not in covered:
                covered.add(name)
                todo.append(name)
    missing = sorted(needed - covered)
    expect(not missing, "runtime stage installs every package the server links: missing %s" % missing)
    print("server links packages:", " ".join(sorted(needed)))

# ---------------------------------------------------------------- systemd unit
unit = read("deploy/touchline.service")
directives = {}
for l in unit.splitlines():
    if "=" in l and not l.lstrip().startswith(("#", ";", "[")):
        k, v = l.split("=", 1)
        directives.setdefault(k.strip(), []).append(v.strip())
for key, value in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                   ("PrivateTmp", "yes"), ("StateDirectory", "touchline"), ("DynamicUser", "yes"),
                   ("RestrictSUIDSGID", "yes"), ("CapabilityBoundingSet", "")]:
    expect(directives.get(key, [None])[-1] == value, "unit has %s=%s" % (key, value))
expect("User" in directives, "unit runs as a dedicated User")
expect("--db=${TOUCHLINE_DB}" in directives.get("ExecStart", [""])[0], "unit passes --db from the env file")
expect(directives.get("EnvironmentFile", [""])[0].endswith("touchline.env"), "unit reads touchline.env")
if shutil.which("systemd-analyze"):
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "touchline.service")
        # verify checks that ExecStart's binary exists: point it at one that does.
        with open(copy, "w", encoding="utf-8") as f:
            f.write(unit.replace("/usr/bin/touchline-server", SERVER or "/bin/true"))
        r = subprocess.run(["systemd-analyze", "verify", copy], capture_output=True, text=True)
        expect(r.returncode == 0 and not r.stderr.strip(),
               "systemd-analyze verify: rc %d %s" % (r.returncode, r.stderr.strip()))
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", copy],
                           capture_output=True, text=True)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
        expect(m and float(m.group(1)) <= 3.0, "systemd-analyze security exposure <= 3: %s" % r.stdout[-200:])
        if m:
            print("systemd-analyze security: exposure", m.group(1))
else:
    print("systemd-analyze not available: unit checked by directives only")

# ---------------------------------------------------------------- example configuration
env = read("deploy/touchline.env.example")
env_vars = dict(l.split("=", 1) for l in env.splitlines() if "=" in l and not l.startswith("#"))
for v in ("TOUCHLINE_LISTEN", "TOUCHLINE_DB", "TOUCHLINE_FLAGS"):
    expect(v in env_vars, "touchline.env.example sets %s" % v)
    expect(v in unit and v in docker, "%s used by the unit and the Dockerfile" % v)
expect(env_vars.get("TOUCHLINE_DB", "").startswith("/var/lib/touchline/"),
       "example database in the StateDirectory")
_known_flags = None


def known_flags():
    """The flags touchline-server knows (its --helpfull), or None without a server binary."""
    global _known_flags
    if SERVER and _known_flags is None:
        helptext = subprocess.run([SERVER, "--helpfull"], capture_output=True, text=True)
        _known_flags = set(re.findall(r"--([a-z_]+)", helptext.stdout + helptext.stderr))
    return _known_flags


def expect_known_flags(text, where):
    """Every --flag in text is one touchline-server knows (checked when the binary is given)."""
    known = known_flags()
    if known is None:
        return
    for flag in sorted(set(re.findall(r"(?<![\w-])--([a-z_]+)", text))):
        expect(flag in known, "touchline-server knows --%s (%s)" % (flag, where))


# Every flag in the example is one the server knows.
expect_known_flags(env, "touchline.env.example")

# ---------------------------------------------------------------- Kubernetes
docs = [d for d in yaml.safe_load_all(read("deploy/kubernetes/touchline.yaml")) if d]
kinds = {d["kind"]: d for d in docs}
for d in docs:
    expect("apiVersion" in d and "metadata" in d and "name" in d["metadata"], "%s has apiVersion and name" % d.get("kind"))
pvc = kinds.get("PersistentVolumeClaim")
expect(pvc and pvc["spec"]["resources"]["requests"]["storage"], "a PersistentVolumeClaim with storage")
work = kinds.get("Deployment") or kinds.get("StatefulSet")
expect(work is not None, "a Deployment or StatefulSet")
if work:
    spec = work["spec"]
    expect(spec.get("replicas") == 1, "one replica (SQLite has one writer)")
    if work["kind"] == "Deployment":
        expect(spec.get("strategy", {}).get("type") == "Recreate", "Recreate strategy")
    pod = spec["template"]["spec"]
    expect(spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items(),
           "selector matches the pod labels")
    expect(pod.get("securityContext", {}).get("runAsNonRoot") is True, "pod runs as non-root")
    c = pod["containers"][0]
    ports = {p["containerPort"] for p in c["ports"]}
    for probe in ("livenessProbe", "readinessProbe"):
        expect(probe in c and "grpc" in c[probe] and c[probe]["grpc"]["port"] in ports,
               "%s is a grpc probe on a container port" % probe)
    claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]
              if "persistentVolumeClaim" in v}
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    expect(pvc and pvc["metadata"]["name"] in claims.values(), "the pod uses the PVC")
    cm = kinds.get("ConfigMap", {}).get("data", {})
    db = cm.get("TOUCHLINE_DB", "")
    expect(any(n in claims and db.startswith(p + "/") for n, p in mounts.items()),
           "the database is on the PVC mount")
    expect(c.get("securityContext", {}).get("allowPrivilegeEscalation") is False, "no privilege escalation")
    expect("startupProbe" in c and "grpc" in c["startupProbe"],
           "a grpc startupProbe (start-up may take long on a big database)")
    # The pod's stop: Kubernetes waits terminationGracePeriodSeconds before SIGKILL.
    grace = re.search(r"--shutdown_grace_seconds=(\d+)", cm.get("TOUCHLINE_FLAGS", ""))
    expect(grace and pod.get("terminationGracePeriodSeconds", 30) > int(grace.group(1)),
           "terminationGracePeriodSeconds exceeds the server's shutdown grace")
    # The image the manifest runs is the one the README builds, at the project's version.
    version = re.search(r"project\(Touchline VERSION ([0-9.]+)", read("CMakeLists.txt")).group(1)
    expect(c["image"] == "touchline:" + version, "the manifest runs touchline:%s (the project version)" % version)
    expect("-t touchline:%s " % version in read("README.md"), "the README builds touchline:%s" % version)
svc = kinds.get("Service")
expect(svc and svc["spec"]["ports"][0]["port"] == 50051, "a Service on 50051")

# The image's stop: docker/podman wait 10 s by default; the image's shutdown grace must end first.
image_grace = re.search(r"--shutdown_grace_seconds=(\d+)", read("deploy/Dockerfile"))
expect(image_grace and int(image_grace.group(1)) < 10,
       "the image's --shutdown_grace_seconds is below docker's 10 s stop timeout")
for pattern in ("*.audit", "*.pseudonym-key", "*.jsonl", "*.csv"):
    expect(pattern in ignore, ".dockerignore keeps %s out of the context" % pattern)

# ---------------------------------------------------------------- the replicated shape (issue 22)
FAILOVER = "deploy/postgresql/touchline-pg-failover.sh"
expect(os.access(os.path.join(ROOT, FAILOVER), os.R_OK), "%s exists" % FAILOVER)
r = subprocess.run(["sh", "-n", os.path.join(ROOT, FAILOVER)], capture_output=True, text=True)
expect(r.returncode == 0, "sh -n %s: %s" % (FAILOVER, r.stderr.strip()))
r = subprocess.run(["sh", os.path.join(ROOT, FAILOVER), "--help"], capture_output=True, text=True)
expect(r.returncode == 0 and "--primary" in r.stdout and "--standby-data" in r.stdout,
       "%s --help exits 0 and shows its interface (rc %d)" % (FAILOVER, r.returncode))


def expect_sh_syntax(script, what):
    r = subprocess.run(["sh", "-n"], input=script, capture_output=True, text=True)
    expect(r.returncode == 0, "sh -n of %s: %s" % (what, r.stderr.strip()))


def flag_values(words):
    """{flag: value} of the --flag=value words (a bare --flag is "true")."""
    values = {}
    for w in words:
        m = re.match(r"--([a-z_]+)(?:=(.*))?$", w)
        if m:
            values[m.group(1)] = m.group(2) if m.group(2) is not None else "true"
    return values


def expect_replicated_store(store, hosts, where):
    """A libpq URI (no password) naming every host in `hosts`, keeping the one that takes writes."""
    url = urllib.parse.urlsplit(store or "")
    expect(url.scheme in ("postgresql", "postgres"), "%s: --store is a postgresql:// URI: %s" % (where, store))
    userinfo, _, hostlist = url.netloc.rpartition("@")
    named = [h.rsplit(":", 1)[0] if not h.endswith("]") else h for h in hostlist.split(",") if h]
    expect(len(named) >= 2, "%s: --store names at least two hosts (primary and standby): %s" % (where, named))
    expect(set(hosts) <= set(named), "%s: --store names the database hosts %s: %s" % (where, sorted(hosts), named))
    expect(":" not in userinfo, "%s: no password in --store" % where)
    query = urllib.parse.parse_qs(url.query)
    expect(query.get("target_session_attrs") == ["read-write"],
           "%s: --store has target_session_attrs=read-write (libpq keeps the host that takes writes)" % where)
    expect(url.path.strip("/") != "", "%s: --store names a database" % where)


def script_of(container):
    """The shell script of a container run as `sh -c SCRIPT`, or None."""
    words = list(container.get("command") or container.get("entrypoint") or []) + list(container.get("args") or [])
    if len(words) >= 3 and words[0] in ("sh", "/bin/sh", "bash", "/bin/bash") and words[1] == "-c":
        return words[2]
    return None


SETS_SYNC = re.compile(r"-c\s+'?synchronous_standby_names=")  # on a postgres command line


def expect_primary_command(text, where):
    # On the command line, never ALTER SYSTEM: a base backup would carry that to the standby, and a
    # promoted standby would wait for a synchronous standby it does not have.
    expect(re.search(r"-c\s+'?synchronous_standby_names=\*'?", text) is not None,
           "%s: the primary's command line sets synchronous_standby_names=*" % where)
    expect(re.search(r"-c\s+wal_level=replica\b", text) is not None, "%s: wal_level=replica" % where)


def expect_failover_command(text, where):
    expect("touchline-pg-failover.sh" in text, "%s: the failover sidecar runs touchline-pg-failover.sh" % where)
    for arg in ("--primary", "--standby-data", "--fence"):
        expect(re.search(r"(?<![\w-])%s\s" % arg, text) is not None, "%s: the failover sidecar passes %s" % (where, arg))
    expect(re.search(r"--standby-data\s+\S*(PGDATA|/var/lib/postgresql/data)", text) is not None,
           "%s: --standby-data is the standby's data folder" % where)


def strings(node):
    """Every string in a parsed YAML document (its comments are not there)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def alters_system(doc):
    """Whether any string of doc, shell comment lines aside, says ALTER SYSTEM."""
    return any("ALTER SYSTEM" in l.upper() for v in strings(doc) for l in v.splitlines()
               if not l.lstrip().startswith("#"))

version = re.search(r"project\(Touchline VERSION ([0-9.]+)", read("CMakeLists.txt")).group(1)

# Kubernetes
rdocs = [d for d in yaml.safe_load_all(read("deploy/kubernetes/touchline-replicas.yaml")) if d]
expect(not alters_system(rdocs), "touchline-replicas.yaml: no ALTER SYSTEM")
for d in rdocs:
    expect("apiVersion" in d and "metadata" in d and "name" in d["metadata"],
           "replicas %s has apiVersion and name" % d.get("kind"))
named = {(d["kind"], d["metadata"]["name"]): d for d in rdocs}
of_kind = lambda kind: [d for d in rdocs if d["kind"] == kind]
k8s = "touchline-replicas.yaml"
deployments = of_kind("Deployment")
statefulsets = of_kind("StatefulSet")
expect(len(deployments) == 1, "%s: one Deployment (the touchline-server replicas)" % k8s)
expect(len(statefulsets) == 1, "%s: one StatefulSet (PostgreSQL)" % k8s)


def expect_anti_affinity(pod, labels, what):
    anti = pod.get("affinity", {}).get("podAntiAffinity", {})
    terms = anti.get("requiredDuringSchedulingIgnoredDuringExecution", []) + \
        [t.get("podAffinityTerm", {}) for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])]
    expect(any(t.get("topologyKey") == "kubernetes.io/hostname" and
               t.get("labelSelector", {}).get("matchLabels", {"": None}).items() <= labels.items() for t in terms),
           "%s: podAntiAffinity on kubernetes.io/hostname (one per node)" % what)


def selects(selector, labels):
    return bool(selector.get("matchLabels")) and selector["matchLabels"].items() <= labels.items()


db_hosts = []
if statefulsets:
    sts = statefulsets[0]
    sspec = sts["spec"]
    db_hosts = ["%s-%d.%s" % (sts["metadata"]["name"], i, sspec["serviceName"]) for i in range(sspec.get("replicas", 1))]
    expect(sspec.get("replicas") == 2, "%s: PostgreSQL is two pods (primary and standby)" % k8s)
    headless = named.get(("Service", sspec["serviceName"]))
    expect(headless is not None and headless["spec"].get("clusterIP") == "None",
           "%s: a headless Service %s names the database pods" % (k8s, sspec["serviceName"]))
    expect(sspec.get("updateStrategy", {}).get("type") == "OnDelete",
           "%s: database updateStrategy OnDelete (a rolling update would fail over)" % k8s)
    dpod = sspec["template"]["spec"]
    dlabels = sspec["template"]["metadata"]["labels"]
    expect(selects(sspec["selector"], dlabels), "%s: the StatefulSet's selector matches its pods" % k8s)
    expect_anti_affinity(dpod, dlabels, "%s database pods" % k8s)
    expect(dpod.get("securityContext", {}).get("runAsNonRoot") is True, "%s: database pods run as non-root" % k8s)
    # pg_ctl promote (the sidecar) signals the postmaster (another container).
    expect(dpod.get("shareProcessNamespace") is True, "%s: the database pod shares its process namespace" % k8s)
    containers = dpod.get("containers", [])
    inits = dpod.get("initContainers", [])
    for c in containers + inits:
        if c["image"].startswith("postgres"):
            expect(c["image"] == "postgres:15" or c["image"].startswith("postgres:15."),
                   "%s: %s runs PostgreSQL 15 (%s)" % (k8s, c["name"], c["image"]))
        if script_of(c) is not None:
            expect_sh_syntax(script_of(c), "%s container %s" % (k8s, c["name"]))
    texts = {c["name"]: " ".join(c.get("command", []) + c.get("args", [])) for c in containers + inits}
    primary = [n for n, t in texts.items() if SETS_SYNC.search(t)]
    expect(len(primary) == 1, "%s: one database container sets synchronous_standby_names (-c)" % k8s)
    for n in primary:
        expect_primary_command(texts[n], "%s container %s" % (k8s, n))
    expect(any("pg_basebackup" in t and re.search(r"(\s-R\b|--write-recovery-conf)", t) for t in texts.values()),
           "%s: the standby is made by pg_basebackup -R" % k8s)
    sidecars = [c for c in containers if "touchline-pg-failover.sh" in texts[c["name"]]]
    expect(len(sidecars) == 1, "%s: the failover sidecar beside the database" % k8s)
    volumes = {v["name"]: v for v in dpod.get("volumes", [])}
    db_mount = {m["name"]: m["mountPath"] for c in containers if c["name"] in primary for m in c["volumeMounts"]}
    for c in sidecars:
        expect_failover_command(texts[c["name"]], "%s container %s" % (k8s, c["name"]))
        mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
        script_dir = re.search(r"(\S+)/touchline-pg-failover\.sh", texts[c["name"]]).group(1)
        expect(any(m["mountPath"] == script_dir and "configMap" in volumes.get(n, {}) for n, m in mounts.items()),
               "%s: the failover script is mounted from a ConfigMap at %s" % (k8s, script_dir))
        expect(any(n in db_mount and m["mountPath"] == db_mount[n] and not m.get("readOnly") for n, m in mounts.items()),
               "%s: the sidecar mounts the database's data volume where PostgreSQL does" % k8s)
for cm in of_kind("ConfigMap"):
    for key, value in (cm.get("data") or {}).items():
        if key.endswith(".sh"):
            expect_sh_syntax(value, "%s ConfigMap %s key %s" % (k8s, cm["metadata"]["name"], key))

for dep in deployments:
    spec = dep["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"]["labels"]
    expect(spec.get("replicas", 1) >= 2, "%s: at least two touchline-server replicas" % k8s)
    expect(spec.get("strategy", {}).get("type", "RollingUpdate") == "RollingUpdate",
           "%s: RollingUpdate (no SQLite file: replicas may overlap)" % k8s)
    expect(selects(spec["selector"], labels), "%s: the Deployment's selector matches its pods" % k8s)
    expect_anti_affinity(pod, labels, "%s replicas" % k8s)
    expect(pod.get("securityContext", {}).get("runAsNonRoot") is True, "%s: replicas run as non-root" % k8s)
    c = pod["containers"][0]
    expect(c["image"] == "touchline:" + version, "%s runs touchline:%s" % (k8s, version))
    ports = {p["containerPort"] for p in c.get("ports", [])}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        expect(probe in c and "grpc" in c[probe] and c[probe]["grpc"]["port"] in ports,
               "%s: %s is a grpc probe on a container port" % (k8s, probe))
    cm = {}
    for source in c.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        expect((("ConfigMap", ref)) in named, "%s: the ConfigMap %s is in the manifest" % (k8s, ref))
        cm.update(named.get(("ConfigMap", ref), {}).get("data", {}))
    words = cm.get("TOUCHLINE_FLAGS", "").split() + list(c.get("command", [])) + list(c.get("args", []))
    expect_known_flags(" ".join(words), k8s)
    flags = flag_values(words)
    # The image passes --db=$TOUCHLINE_DB, and the server refuses --store beside a --db.
    expect(cm.get("TOUCHLINE_DB") == "", "%s: TOUCHLINE_DB is empty (no --db beside --store)" % k8s)
    expect_replicated_store(flags.get("store"), db_hosts, k8s)
    expect(flags.get("store_schema"), "%s: --store_schema names the club's schema" % k8s)
    mounts = c.get("volumeMounts", [])
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for flag in ("pseudonym_key_file", "store_password_file"):
        path = flags.get(flag, "")
        mount = next((m for m in mounts if path.startswith(m["mountPath"].rstrip("/") + "/")), None)
        secret = volumes.get(mount["name"], {}).get("secret") if mount else None
        expect(secret is not None and mount.get("readOnly") is True,
               "%s: --%s (%s) is on a Secret mounted read-only" % (k8s, flag, path))
        if secret and secret.get("items"):
            expect(any(i["path"] == path[len(mount["mountPath"].rstrip("/")) + 1:] for i in secret["items"]),
                   "%s: the Secret's items give --%s's file" % (k8s, flag))
    grace = re.search(r"--shutdown_grace_seconds=(\d+)", " ".join(words))
    expect(grace and pod.get("terminationGracePeriodSeconds", 30) > int(grace.group(1)),
           "%s: terminationGracePeriodSeconds exceeds the server's shutdown grace" % k8s)
    pdbs = [p for p in of_kind("PodDisruptionBudget") if selects(p["spec"]["selector"], labels)]
    expect(len(pdbs) == 1 and pdbs[0]["spec"].get("minAvailable") == 1,
           "%s: a PodDisruptionBudget keeps one replica (minAvailable 1)" % k8s)
    services = [v for v in of_kind("Service") if v["spec"].get("selector", {"": None}).items() <= labels.items()]
    expect(any(p["port"] == 50051 for v in services for p in v["spec"]["ports"]),
           "%s: a Service on 50051 for the replicas" % k8s)

# Compose
cdoc = yaml.safe_load(read("deploy/compose/touchline-replicas.yaml"))
co = "compose/touchline-replicas.yaml"
expect(not alters_system(cdoc), "%s: no ALTER SYSTEM" % co)
services = cdoc.get("services", {})
declared = cdoc.get("secrets", {})


# Compose reads $VAR itself: a $ meant for the container's shell is written $$.
single = [v for v in strings(services) if re.search(r"\$(?!\$)", v.replace("$$", ""))]
expect(not single, "%s: every $ for a shell is written $$: %s" % (co, [v[:60] for v in single]))
ctexts = {}
for name, svc in services.items():
    words = [w.replace("$$", "$") for w in list(svc.get("entrypoint") or []) + list(svc.get("command") or [])]
    ctexts[name] = " ".join(words)
    script = script_of({"command": words})
    if script is not None:
        expect_sh_syntax(script, "%s service %s" % (co, name))
dbs = [n for n, v in services.items() if str(v.get("image", "")).startswith("postgres")]
for n in dbs:
    expect(services[n]["image"] == "postgres:15", "%s: %s runs postgres:15" % (co, n))
replicas = {n: v for n, v in services.items() if str(v.get("image", "")).startswith("touchline")}
expect(len(replicas) >= 2, "%s: at least two touchline-server replicas" % co)
keys = set()
for name, svc in replicas.items():
    expect(svc["image"] == "touchline:" + version, "%s: %s runs touchline:%s" % (co, name, version))
    words = list(svc.get("command") or []) + str(svc.get("environment", {}).get("TOUCHLINE_FLAGS", "")).split()
    expect_known_flags(" ".join(words), "%s %s" % (co, name))
    flags = flag_values(words)
    expect(svc.get("environment", {}).get("TOUCHLINE_DB") == "",
           "%s: %s has TOUCHLINE_DB empty (no --db beside --store)" % (co, name))
    expect_replicated_store(flags.get("store"), [], "%s %s" % (co, name))
    hosts = urllib.parse.urlsplit(flags.get("store", "")).netloc.rpartition("@")[2].split(",")
    expect(all(h.split(":")[0] in dbs for h in hosts), "%s: %s's --store hosts are the database services" % (co, name))
    for flag in ("pseudonym_key_file", "store_password_file"):
        path = flags.get(flag, "")
        secret = path[len("/run/secrets/"):] if path.startswith("/run/secrets/") else None
        expect(secret in (svc.get("secrets") or []) and "file" in declared.get(secret, {}),
               "%s: %s's --%s is a Compose secret (%s)" % (co, name, flag, path))
    keys.add(flags.get("pseudonym_key_file"))
expect(len(keys) == 1, "%s: every replica has the same pseudonym key" % co)
primaries = [n for n in dbs if SETS_SYNC.search(ctexts[n])]
expect(len(primaries) == 1, "%s: one database service sets synchronous_standby_names (-c)" % co)
for n in primaries:
    expect_primary_command(ctexts[n], "%s %s" % (co, n))
expect(any("pg_basebackup" in ctexts[n] and re.search(r"(\s-R\b|--write-recovery-conf)", ctexts[n]) for n in dbs),
       "%s: the standby is made by pg_basebackup -R" % co)
sidecars = [n for n in services if "touchline-pg-failover.sh" in ctexts[n]]
expect(len(sidecars) == 1, "%s: a failover sidecar" % co)
for n in sidecars:
    expect_failover_command(ctexts[n], "%s %s" % (co, n))
    sources = [v.split(":")[0] for v in services[n].get("volumes", []) if isinstance(v, str)]
    expect(any(os.path.normpath(os.path.join("deploy/compose", s)) == FAILOVER for s in sources),
           "%s: %s mounts %s" % (co, n, FAILOVER))

print("check_deploy: %d passed, %d failed" % (passes, len(failures)))
sys.exit(1 if failures else 0)
