#!/bin/sh
# The official image's entrypoint: options alone run haproxy, and haproxy runs in the foreground
# (-db) in master-worker mode (-W), so `docker stop` and `docker kill -s HUP` reach the master.
set -e
if [ "${1#-}" != "$1" ]; then
	set -- haproxy "$@"
fi
if [ "$1" = 'haproxy' ]; then
	shift
	set -- haproxy -W -db "$@"
fi
exec "$@"
