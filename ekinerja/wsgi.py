import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ekinerja.settings")

# Refuse to serve without a secret key: fail at start, not at the first login.
try:
    settings.SECRET_KEY  # noqa: B018 - Django raises on access when the key is empty
except ImproperlyConfigured:
    raise RuntimeError("SECRET_KEY belum diisi (lihat .env.example); aplikasi tidak dijalankan.") from None

application = get_wsgi_application()
