#!/usr/bin/env bash
# embed.sh FILE - print FILE as a C array so a text asset ships inside the binary:
#   static const unsigned char <name>[] = {...}; static const unsigned int <name>_len = N;
# where <name> is the file name with every non-alphanumeric character turned into '_'.
set -euo pipefail
name=$(basename "$1" | tr -c 'A-Za-z0-9\n' '_')
echo "/* generated from $1 by tools/embed.sh; do not edit */"
echo "static const unsigned char ${name}[] = {"
od -An -v -tx1 "$1" | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'
echo "0x00 };"
echo "static const unsigned int ${name}_len = $(stat -c %s "$1");"
