#!/bin/sh
# certbot deploy hook for proxyd: after a renewal, let the proxyd user read the new key and
# tell proxyd to load the new certificate at once.
#
#   install -m 0755 deploy/certbot-deploy-hook.sh /etc/letsencrypt/renewal-hooks/deploy/proxyd
#
# certbot runs it (as root) once per renewed lineage with RENEWED_LINEAGE set, e.g.
# /etc/letsencrypt/live/example.com. proxyd also notices the new files on its own within
# 5-10 seconds; the reload makes it immediate and logs a refusal if anything is wrong.
set -eu

lineage=${RENEWED_LINEAGE:?certbot sets RENEWED_LINEAGE}
name=$(basename "$lineage")

# certbot keeps the archive and live directories root-only (0700) and the key 0600: give
# the proxyd group read access (certbot keeps the group mode of the previous key on renewal).
chgrp proxyd /etc/letsencrypt/live /etc/letsencrypt/archive "/etc/letsencrypt/archive/$name"
chmod 0750 /etc/letsencrypt/live /etc/letsencrypt/archive "/etc/letsencrypt/archive/$name"
chgrp proxyd "/etc/letsencrypt/archive/$name"/privkey*.pem
chmod 0640 "/etc/letsencrypt/archive/$name"/privkey*.pem

systemctl reload proxyd
