"""Every Indonesian text the admin app shows or returns, one dict per area.

Templates hold the words of their own pages; what Python code sends (flash messages, JSON
error messages, labels built in code) lives here so it can be translated in one place.
"""

from __future__ import annotations

AUTH: dict[str, str] = {
    "login_required": "Silakan masuk terlebih dahulu.",
    "forbidden": "Peran Anda ({role}) tidak berwenang untuk tindakan ini.",
    "bad_credentials": "Nama pengguna atau kata sandi salah.",
    "throttled": "Terlalu banyak percobaan masuk. Coba lagi dalam {minutes} menit.",
    "logged_out": "Anda telah keluar.",
    "session_expired": "Sesi Anda berakhir karena tidak aktif. Silakan masuk kembali.",
    "no_users": (
        "Belum ada akun. Teknisi membuat supervisor pertama di appliance dengan perintah: "
        "ult user add NAMA --role supervisor"
    ),
    "fields_required": "Isi nama pengguna dan kata sandi.",
}
"""Login, sessions and roles."""

ERRORS: dict[str, str] = {
    "csrf_failed": "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.",
    "not_found": "Halaman atau data tidak ditemukan.",
    "method_not_allowed": "Metode permintaan ini tidak diizinkan di alamat ini.",
    "bad_request": "Permintaan tidak valid.",
    "body_invalid": "Isi permintaan harus objek JSON.",
    "field_unknown": "Kolom '{field}' tidak dikenal untuk tindakan ini.",
    "field_invalid": "Kolom '{field}' tidak valid: {reason}",
    "too_large": "Permintaan terlalu besar.",
    "database_unavailable": (
        "Basis data antrian tidak dapat dibuka. Hubungi teknisi (periksa `ult status`)."
    ),
    "internal": (
        "Terjadi kesalahan di server. Tindakan tidak dijalankan; coba lagi atau hubungi teknisi."
    ),
    "too_many_streams": "Terlalu banyak layar yang terhubung. Coba lagi sebentar lagi.",
}
"""Errors of any area, for pages and JSON alike."""

ROLE_NAMES: dict[str, str] = {
    "receptionist": "Resepsionis",
    "front_office": "Front office",
    "back_office": "Back office",
    "unit": "Unit utama",
    "supervisor": "Supervisor",
    "technician": "Teknisi",
}
"""Role names as staff read them."""

PAGES: dict[str, str] = {}
"""Staff pages (reception, counter, back office): flash messages and labels built in code."""

SUPERVISOR: dict[str, str] = {}
"""Supervisor pages: catalog, users and tokens, running text, day overview."""

VISITOR: dict[str, str] = {}
"""The visitor's ticket page /t/{token} and the browser board /board."""

API: dict[str, str] = {}
"""JSON API texts beyond ``ERRORS``."""
