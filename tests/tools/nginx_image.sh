#!/usr/bin/env bash
# Builds the nginx image of the servers/ tests and bench/server.sh: Debian's nginx in its
# default multi-process mode (a master forking WORKERS workers, accept mutex, channel
# socketpairs, sendfile, Debian's mime.types), kept in the foreground (`daemon off`: a
# workload's first process must not leave), on port 8080, with a small site.
#
#     nginx_image.sh CLOISTER DIR CPUS WORKERS MUTEX   writes DIR/www (the site, made
#         once) and DIR/nginx-CPUSxWORKERS-MUTEX.cwi; MUTEX on or off: accept_mutex
#         (Debian's default, off, has each worker's epoll wait with EPOLLEXCLUSIVE; on,
#         a lock in memory the workers share decides which one accepts)
#
# The site: index.html, a 1 MiB file of random bytes, two files in a folder; /pid answers
# the serving worker's pid, /master-pid the master's pid file, /status stub_status.
# `user root`: the VM has one user (setuid to another is EPERM), so the workers keep it.
set -euo pipefail
cloister=$1 dir=$2 cpus=$3 workers=$4 mutex=$5
mkdir -p "$dir"
if [[ ! -f $dir/www/big.bin ]]; then
    mkdir -p "$dir/www/sub"
    printf '<html><body>hello from nginx</body></html>\n' >"$dir/www/index.html"
    head -c 1048576 /dev/urandom >"$dir/www/big.bin"
    printf 'body { color: black; }\n' >"$dir/www/sub/style.css"
    head -c 6000 /dev/urandom | base64 >"$dir/www/sub/notes.txt"
fi
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' \
    >"$dir/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$dir/group"
cat >"$dir/nginx.conf" <<EOF
user root;
worker_processes $workers;
daemon off;
master_process on;
pid /tmp/nginx.pid;
error_log stderr notice;
events {
	worker_connections 768;
	accept_mutex $mutex;
}
http {
	sendfile on;
	tcp_nopush on;
	types_hash_max_size 2048;
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	access_log off;
	gzip on;
	client_body_temp_path /tmp/client_body;
	proxy_temp_path /tmp/proxy;
	fastcgi_temp_path /tmp/fastcgi;
	uwsgi_temp_path /tmp/uwsgi;
	scgi_temp_path /tmp/scgi;
	server {
		listen 8080 default_server;
		root /www;
		index index.html;
		location = /pid { default_type text/plain; return 200 "\$pid\n"; }
		location = /master-pid { default_type text/plain; alias /tmp/nginx.pid; }
		location = /status { stub_status; }
	}
}
EOF
"$cloister" build -o "$dir/nginx-${cpus}x$workers-$mutex.cwi" --entry /usr/sbin/nginx --cpus "$cpus" \
    --add "$dir/nginx.conf:/etc/nginx/nginx.conf" --add /etc/nginx/mime.types:/etc/nginx/mime.types \
    --add "$dir/passwd:/etc/passwd" --add "$dir/group:/etc/group" --add "$dir/www:/www" \
    --listen tcp:8080 -- -c /etc/nginx/nginx.conf
