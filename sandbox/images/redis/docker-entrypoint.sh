#!/bin/sh
# As in the official redis image: `redis-server` (or `redis-server --opt ...`) without a config file
# listens on every interface with protected mode off, so other containers can reach it.
set -e
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
    set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
    case "$2" in
        *.conf) ;;
        *) shift; set -- redis-server --bind '* -::*' --protected-mode no "$@" ;;
    esac
fi
exec "$@"
