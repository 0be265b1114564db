// The programs the well-known images run: nginx, httpd, redis, postgres, mysql, memcached, python,
// node and the images of the docs' demos (demo-programs.ts)... each fills in a Behaviour (see
// behaviour.ts for the model and the documented conventions).

import { Mi, server, type FamilyProgram, hasEnv, httpServer, always } from "./program-kit";
import { agnhost, httpEcho, stress, perl, curl } from "./demo-programs";

export { parseSize } from "./program-kit";
export { piDigits, vishStress } from "./demo-programs";

const nginx: FamilyProgram = (b, inp) => {
  const v = /^\d+\.\d+\.\d+$/.test(inp.tag) ? inp.tag : inp.tag.startsWith("1.14") ? "1.14.2" : inp.tag.startsWith("1.25") ? "1.25.5" : "1.27.3";
  b.program = "nginx";
  const lines = [
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
    "{{nginxtime}} [notice] 1#1: using the \"epoll\" event method",
    `{{nginxtime}} [notice] 1#1: nginx/${v}`,
    "{{nginxtime}} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) ",
    "{{nginxtime}} [notice] 1#1: OS: Linux 6.8.0-1019-gcp",
    "{{nginxtime}} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576",
    "{{nginxtime}} [notice] 1#1: start worker processes",
    "{{nginxtime}} [notice] 1#1: start worker process 29",
    "{{nginxtime}} [notice] 1#1: start worker process 30",
  ];
  b.logs = lines.map((text, i) => ({ atMs: i < 9 ? 5 * i : 60, text }));
  server(b, 80, "http", 60);
  b.http.accessLog = "nginx";
  b.stop = {
    signal: "SIGQUIT",
    afterMs: 120,
    exitCode: 0,
    logs: ["{{nginxtime}} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down", "{{nginxtime}} [notice] 29#29: gracefully shutting down", "{{nginxtime}} [notice] 29#29: exiting", "{{nginxtime}} [notice] 29#29: exit", "{{nginxtime}} [notice] 1#1: signal 17 (SIGCHLD) received from 29", "{{nginxtime}} [notice] 1#1: worker process 29 exited with code 0", "{{nginxtime}} [notice] 1#1: exit"],
  };
  b.memory = { baseBytes: 7 * Mi, peakBytes: 7 * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = 1;
};

const httpd: FamilyProgram = (b) => {
  b.program = "httpd";
  const fqdn = "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {{podip}}. Set the 'ServerName' directive globally to suppress this message";
  b.logs = [
    { atMs: 0, text: fqdn },
    { atMs: 10, text: fqdn },
    { atMs: 40, text: "[{{httpdtime}}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations" },
    { atMs: 40, text: "[{{httpdtime}}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'" },
  ];
  server(b, 80, "http", 40);
  b.http.okPaths = ["/", "/index.html"];
  b.http.bodyBytes = 45;
  b.http.accessLog = "httpd";
  b.stop = { signal: "SIGWINCH", afterMs: 200, exitCode: 0, logs: ["[{{httpdtime}}] [mpm_event:notice] [pid 1:tid 1] AH00492: caught SIGWINCH, shutting down gracefully"] };
  b.memory = { baseBytes: 11 * Mi, peakBytes: 11 * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = 1;
};

const redis: FamilyProgram = (b, inp) => {
  const v = /^\d+\.\d+\.\d+$/.test(inp.tag) ? inp.tag : inp.tag.startsWith("6") ? "6.2.16" : "7.4.1";
  b.program = "redis-server";
  const t = "1:C {{redistime}}";
  const m = "1:M {{redistime}}";
  b.logs = [
    `${t} # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect.`,
    `${t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
    `${t} * Redis version=${v}, bits=64, commit=00000000, modified=0, pid=1, just started`,
    `${t} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf`,
    `${m} * monotonic clock: POSIX clock_gettime`,
    `${m} * Running mode=standalone, port=6379.`,
    `${m} * Server initialized`,
    `${m} * Ready to accept connections tcp`,
  ].map((text, i) => ({ atMs: i * 2, text }));
  server(b, 6379, "tcp", 20);
  b.stop = { signal: "SIGTERM", afterMs: 150, exitCode: 0, logs: [`${m} # User requested shutdown...`, `${m} * Saving the final RDB snapshot before exiting.`, `${m} * DB saved on disk`, `${m} # Redis is now ready to exit, bye bye...`] };
  b.memory = { baseBytes: 4 * Mi, peakBytes: 4 * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = 2;
};

const postgres: FamilyProgram = (b, inp) => {
  b.program = "postgres";
  if (!hasEnv(inp, "POSTGRES_PASSWORD") && inp.env.POSTGRES_HOST_AUTH_METHOD !== "trust") {
    b.logs = [
      "Error: Database is uninitialized and superuser password is not specified.",
      "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
      "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".",
      "",
      "       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all",
      "       connections without a password. This is *not* recommended.",
      "",
      "       See PostgreSQL documentation about \"trust\":",
      "       https://www.postgresql.org/docs/current/auth-trust.html",
    ].map((text) => ({ atMs: 30, text }));
    b.exitAtMs = 40;
    b.exitCode = 1;
    return;
  }
  const ts = "{{pgtime}} UTC";
  b.logs = [
    { atMs: 0, text: "The files belonging to this database system will be owned by user \"postgres\"." },
    { atMs: 0, text: "This user must also own the server process." },
    { atMs: 1500, text: "Success. You can now start the database server using:" },
    { atMs: 3200, text: "PostgreSQL init process complete; ready for start up." },
    { atMs: 3400, text: `${ts} [1] LOG:  starting PostgreSQL 17.2 (Debian 17.2-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit` },
    { atMs: 3400, text: `${ts} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432` },
    { atMs: 3450, text: `${ts} [1] LOG:  database system is ready to accept connections` },
  ];
  server(b, 5432, "tcp", 3450);
  b.stop = { signal: "SIGINT", afterMs: 400, exitCode: 0, logs: [`${ts} [1] LOG:  received fast shutdown request`, `${ts} [1] LOG:  database system is shut down`] };
  b.memory = { baseBytes: 20 * Mi, peakBytes: 38 * Mi, rampFromMs: 0, rampMs: 3500 };
  b.cpu = { millis: 3, busyUntilMs: 3500 };
};

const mysql: FamilyProgram = (b, inp) => {
  b.program = "mysqld";
  const ts = "{{mysqltime}}+00:00";
  if (!hasEnv(inp, "MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD")) {
    b.logs = [
      `${ts} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.1.0-1.el9 started.`,
      `${ts} [Note] [Entrypoint]: Switching to dedicated user 'mysql'`,
      `${ts} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.1.0-1.el9 started.`,
      `${ts} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified`,
      "    You need to specify one of the following as an environment variable:",
      "    - MYSQL_ROOT_PASSWORD",
      "    - MYSQL_ALLOW_EMPTY_PASSWORD",
      "    - MYSQL_RANDOM_ROOT_PASSWORD",
    ].map((text, i) => ({ atMs: 100 + i, text }));
    b.exitAtMs = 200;
    b.exitCode = 1;
    return;
  }
  b.logs = [
    { atMs: 0, text: `${ts} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.1.0-1.el9 started.` },
    { atMs: 300, text: `${ts} [Note] [Entrypoint]: Initializing database files` },
    { atMs: 9000, text: `${ts} [Note] [Entrypoint]: MySQL init process done. Ready for start up.` },
    { atMs: 11000, text: "{{iso}} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.1.0'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL." },
  ];
  server(b, 3306, "tcp", 11000);
  b.stop = { signal: "SIGTERM", afterMs: 1500, exitCode: 0, logs: ["{{iso}} 0 [System] [MY-013172] [Server] Received SHUTDOWN from user <via user signal>. Shutting down mysqld (Version: 9.1.0)."] };
  b.memory = { baseBytes: 180 * Mi, peakBytes: 430 * Mi, rampFromMs: 0, rampMs: 11000 };
  b.cpu = { millis: 6, busyUntilMs: 11000 };
};

const memcached: FamilyProgram = (b) => {
  b.program = "memcached";
  server(b, 11211, "tcp", 10);
  b.stop = { signal: "SIGTERM", afterMs: 20, exitCode: 0, logs: ["Signal handled: Terminated."] };
  b.memory = { baseBytes: 2 * Mi, peakBytes: 2 * Mi, rampFromMs: 0, rampMs: 0 };
  b.cpu.millis = 1;
};

const python: FamilyProgram = (b, inp, args) => {
  b.program = "python";
  if (args[0] === "-m" && args[1] === "http.server") {
    const port = Number(args.find((a, i) => i >= 2 && /^\d+$/.test(a)) ?? 8000);
    b.logs = [{ atMs: 80, text: `Serving HTTP on 0.0.0.0 port ${port} (http://0.0.0.0:${port}/) ...` }];
    server(b, port, "http", 80);
    b.http.okPaths = "*";
    b.http.accessLog = "python";
    b.memory = { baseBytes: 12 * Mi, peakBytes: 12 * Mi, rampFromMs: 0, rampMs: 0 };
    b.cpu.millis = 1;
    b.stop = { signal: "SIGTERM", afterMs: 20, exitCode: 143, logs: [] };
    return;
  }
  if (args[0] === "-c") {
    b.exitAtMs = 50;
    const printed = [...(args[1] ?? "").matchAll(/print\((['"])(.*?)\1\)/g)].map((m) => m[2]);
    b.logs = printed.map((text) => ({ atMs: 40, text }));
    const sleep = /time\.sleep\((\d+(?:\.\d+)?)\)/.exec(args[1] ?? "");
    if (sleep) b.exitAtMs = 50 + Number(sleep[1]) * 1000;
    if (/while True/.test(args[1] ?? "")) b.exitAtMs = null;
    return;
  }
  const file = args.find((a) => !a.startsWith("-"));
  if (file) {
    b.logs = [{ atMs: 30, text: `python3: can't open file '/${file.replace(/^\//, "")}': [Errno 2] No such file or directory` }];
    b.exitAtMs = 40;
    b.exitCode = 2;
    return;
  }
  b.exitAtMs = inp.stdin ? null : 30; // the REPL reads EOF
};

const node: FamilyProgram = (b, inp, args) => {
  b.program = "node";
  if (args[0] === "-e" || args[0] === "--eval") {
    const src = args[1] ?? "";
    const listen = /\.listen\(\s*(\d+)/.exec(src);
    if (listen) {
      server(b, Number(listen[1]), "http", 150);
      b.http.okPaths = "*";
      b.memory = { baseBytes: 40 * Mi, peakBytes: 40 * Mi, rampFromMs: 0, rampMs: 0 };
      return;
    }
    b.logs = [...src.matchAll(/console\.log\((['"`])(.*?)\1\)/g)].map((m) => ({ atMs: 60, text: m[2] }));
    b.exitAtMs = 80;
    return;
  }
  const file = args.find((a) => !a.startsWith("-"));
  if (file) {
    const path = file.startsWith("/") ? file : `/${file}`;
    b.logs = ["node:internal/modules/cjs/loader:1228", "  throw err;", "  ^", "", `Error: Cannot find module '${path}'`, "    at Module._resolveFilename (node:internal/modules/cjs/loader:1225:15)", "    at Module._load (node:internal/modules/cjs/loader:1051:27)", "    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:174:12)", "    at node:internal/main/run_main_module:28:49 {", "  code: 'MODULE_NOT_FOUND',", "  requireStack: []", "}", "", "Node.js v22.12.0"].map((text) => ({ atMs: 60, text }));
    b.exitAtMs = 70;
    b.exitCode = 1;
    return;
  }
  b.exitAtMs = inp.stdin ? null : 60;
};

export const FAMILY_PROGRAMS: Record<string, FamilyProgram> = {
  nginx,
  httpd, "httpd-foreground": httpd, "apache2-foreground": httpd,
  "redis-server": redis,
  postgres,
  mysqld: mysql,
  memcached,
  python, python3: python,
  node,
  agnhost,
  "http-echo": httpEcho,
  stress, "stress-ng": stress,
  pause: always("pause", 0.3, 0),
  "run.sh": httpServer("echoserver", 8080, "*", ["Generating self-signed cert", "Starting nginx"], 8),
  "echo-server": httpServer("echo-server", 8080, "*", ["Echo server listening on port 8080."], 3),
  "hello-app": httpServer("hello-app", 8080, "*", ["{{gotime}} Server listening on port 8080"], 5),
  whoami: httpServer("whoami", 80, "*", ["{{gotime}} Starting up on port 80"], 3),
  goproxy: always("goproxy", 3, 0, [[8080, "tcp"]]),
  etcd: always("etcd", 32, 8, [[2379, "grpc"], [2380, "tcp"]], ['{"level":"info","ts":"{{iso}}","caller":"embed/serve.go:187","msg":"serving client traffic insecurely; this is strongly discouraged!","traffic":"grpc+http","address":"[::]:2379"}']),
  "kube-proxy": always("kube-proxy", 18, 1, [[10256, "http"], [10249, "http"]], ['I{{klogtime}}       1 server_linux.go:66] "Using iptables proxy"', 'I{{klogtime}}       1 shared_informer.go:320] Caches are synced for service config']),
  coredns: always("coredns", 15, 2, [[53, "tcp"], [8080, "http"], [8181, "http"], [9153, "http"]], [".:53", "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908", "CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9"]),
  curl,
  perl,
  fluentd: always("fluentd", 90, 4, [[24224, "tcp"]], ["{{iso}} [info]: starting fluentd-1.4.2 pid=1 ruby=\"2.5.5\"", "{{iso}} [info]: fluentd worker is now running worker=0"]),
};

