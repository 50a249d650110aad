"""Every Indonesian text the admin app shows or returns, one dict per area.

Templates hold the words of their own pages; what Python code sends (flash messages, JSON
error messages, labels built in code) lives here so it can be translated in one place.
"""

from __future__ import annotations

AUTH: dict[str, str] = {
    "login_required": "Silakan masuk terlebih dahulu.",
    "forbidden": "Peran Anda ({role}) tidak berwenang untuk tindakan ini.",
    "bad_credentials": "Nama pengguna atau kata sandi salah.",
    "throttled": (
        "Terlalu banyak percobaan masuk yang gagal dari komputer ini. Coba lagi dalam "
        "{seconds} detik."
    ),
    "logged_out": "Anda telah keluar.",
    "session_expired": "Sesi Anda berakhir karena tidak aktif. Silakan masuk kembali.",
    "session_logged_out": (
        "Sesi Anda sudah berakhir karena Anda keluar (logout) di tab atau jendela lain. "
        "Silakan masuk kembali."
    ),
    "no_users": (
        "Belum ada akun. Teknisi membuat supervisor pertama di perangkat ini dengan perintah: "
        "ult user add NAMA --role supervisor"
    ),
    "fields_required": "Isi nama pengguna dan kata sandi.",
    "busy": "Terlalu banyak percobaan masuk bersamaan; coba lagi sebentar lagi.",
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
    "pages_missing": (
        "Berkas halaman staf tidak lengkap ({names}). Pasang ulang program: sudo make install."
    ),
    # /healthz when nothing can be recorded (ult.health.CAUSES): the cause, never "restore".
    "disk_full": (
        "Disk penyimpanan perangkat penuh: perubahan tidak dapat dicatat; data yang sudah ada "
        "aman. Hubungi teknisi (kosongkan ruang disk; periksa dengan `ult doctor`)."
    ),
    "read_only": (
        "Penyimpanan perangkat hanya dapat dibaca: antrian tidak dapat dicatat. Hubungi "
        "teknisi (kartu SD atau disk bermasalah; periksa `dmesg`)."
    ),
    "no_permission": (
        "Layanan tidak berhak menulis di direktori basis data: antrian tidak dapat dicatat. "
        "Hubungi teknisi (pemilik direktori harus pengguna ult)."
    ),
    "database_locked": (
        "Basis data sedang dikunci proses lain: antrian tidak dapat dicatat. Hubungi teknisi "
        "(cari proses yang memegang kunci, mis. sqlite3 yang masih terbuka)."
    ),
    "write_failed": (
        "Basis data tidak dapat ditulis: antrian tidak dapat dicatat. Hubungi teknisi "
        "(periksa `journalctl -u ult-admin`)."
    ),
    "internal": (
        "Terjadi kesalahan di server. Tindakan tidak dijalankan; coba lagi atau hubungi teknisi."
    ),
    "too_many_streams": "Terlalu banyak layar yang terhubung. Coba lagi sebentar lagi.",
    "event_id_invalid": (
        "{source} harus nomor event berupa bilangan bulat 0 atau lebih (tanpa tanda atau spasi)."
    ),
    "admin_database_missing": (
        "Basis data belum disiapkan ({path}). Jalankan dahulu: ult init — lalu ult admin lagi."
    ),
    "admin_database_error": (
        "Basis data {path} tidak dapat dibuka: {error}. Periksa dengan: ult status"
    ),
    "admin_database_old": (
        "Basis data {path} dibuat oleh versi program yang lebih lama. Perbarui dahulu dengan: "
        "ult init"
    ),
    "admin_port_taken": (
        "Port {port} di alamat {host} sudah dipakai program lain (mungkin ult admin sudah "
        "berjalan: systemctl status ult-admin). Hentikan program itu, atau pilih port lain: "
        "ult admin --port NOMOR"
    ),
    "admin_listen_failed": (
        "ult admin tidak dapat mendengarkan di {host}:{port}: {error}. Periksa host dan port "
        "di bagian [admin] berkas pengaturan, atau pakai ult admin --host/--port."
    ),
}
"""Errors of any area, for pages and JSON alike."""

ROLE_NAMES: dict[str, str] = {
    "receptionist": "Resepsionis",
    "front_office": "Front Office",
    "back_office": "Back Office",
    "unit": "Unit utama",
    "supervisor": "Supervisor",
    "technician": "Teknisi",
    "kepala": "Kepala kantor",
}
"""Role names as staff read them."""

PAGES: dict[str, str] = {
    # Reception (SOP 2-4).
    "issued_print_requested": "Tiket {label} diterbitkan; tiket sedang dicetak.",
    "issued_again": "Tiket {label} sudah diterbitkan untuk permintaan ini (tidak dibuat dua kali).",
    "issued_not_printed": (
        "Tiket {label} diterbitkan tetapi TIDAK tercetak ({reason}). Sebutkan nomornya kepada "
        "pengunjung, lalu cetak ulang setelah printer siap."
    ),
    "issued_no_printer": (
        "Tiket {label} diterbitkan. Tidak ada printer tiket: sebutkan nomornya kepada pengunjung."
    ),
    "reprint_requested": "Tiket {label} sedang dicetak ulang.",
    "reprint_failed": (
        "Tiket {label} gagal dicetak ulang ({reason}); tiket tetap dalam antrian. Periksa printer "
        "lalu coba lagi."
    ),
    "printer_checked": "Keadaan printer: {state}.",
    "printer_never": "Belum pernah diperiksa",
    "pick_required": "Pilih layanan terlebih dahulu.",
    "visitor_registered": "Data pengunjung tiket {label} disimpan.",
    "reactivated": "Tiket {label} kembali ke antrian (di urutan akhir).",
    "reception_transferred": (
        "Tiket {label} dipindahkan ke layanan {service} dengan nomor dan urutan yang sama."
    ),
    "prioritized": (
        "Tiket {label} kini prioritas ({category}): nomor dan urutannya tetap, dipanggil "
        "sebelum pengunjung biasa."
    ),
    "priority_category_recorded": (
        "Kategori prioritas tiket {label} dicatat ({category}); nomor dan urutannya tetap."
    ),
    "today_capped": ("Menampilkan {shown} tiket terbaru dari {total}. Persempit dengan pencarian."),
    # Counter, front office (SOP 5-9, 15-16).
    "counter_required": "Pilih loket Anda terlebih dahulu.",
    "counter_chosen": "Anda bertugas di {counter}.",
    "counter_form_mismatch": (
        "Formulir ini untuk {form_counter}, tetapi Anda sekarang bertugas di {counter}. "
        "Muat ulang halaman lalu coba lagi."
    ),
    "counter_choice_invalid": "Pilih loket dari daftar.",
    "called": "{counter} memanggil {label}.",
    "nothing_waiting": "Tidak ada antrian yang menunggu untuk {counter}.",
    "recalled": "{label} dipanggil ulang ({recalls} kali).",
    "called_back": "{label} dipanggil kembali ke {counter}: jawaban siap dijelaskan.",
    "called_back_again": "{label} dipanggil kembali lagi ({recalls} kali).",
    "no_show": "{label} dinyatakan tidak hadir.",
    "started": "{label} mulai dilayani.",
    "identified": "Identitas pengunjung {label} dicatat.",
    "prefill_done": (
        "Formulir diisi dari kunjungan terakhir ({day}, {label}). Periksa dengan kartu "
        "identitasnya, lalu simpan."
    ),
    "prefill_none": "Nomor ini belum pernah tercatat di buku tamu: isi datanya.",
    "detailed": "Rincian permohonan {label} dicatat.",
    "answered": "Jawaban untuk {label} dicatat. Jelaskan kepada pengunjung.",
    "escalated": "{label} diteruskan ke Back Office. Loket kembali siap.",
    "consulted": "Konsultasi {label} ke Back Office dicatat; teruskan kasus bila perlu.",
    "relayed": "Disposisi kasus {label} disampaikan; jawaban siap untuk Front Office.",
    "explained": "Penjelasan untuk {label} dicatat. Selesaikan layanan.",
    "finished": "Layanan {label} selesai. Minta pengunjung memindai kode QR survei.",
    "finished_no_survey": "Layanan {label} selesai.",
    "transferred": "{label} dipindahkan ke layanan {service}.",
    "cancelled": "Tiket {label} dibatalkan.",
    "paused": "{counter} dijeda: tidak memanggil nomor baru.",
    "resumed": "{counter} kembali melayani.",
    # The desk panel after another user took its visitor away (issue 14 review).
    "desk_cancelled_by": "{label} dibatalkan oleh {who}: {reason}",
    "desk_transferred_by": "{label} dipindahkan ke layanan {service} oleh {who}.",
    "busy_reason": "Loket masih menangani {label}.",
    "paused_reason": "Loket sedang jeda.",
    "empty_reason": "Tidak ada antrian yang menunggu.",
    "no_show_reason": "Perlu {required} kali panggil ulang sebelum tidak hadir (baru {recalls}).",
    "acting_invalid": "Pilih apakah pengunjung mewakili orang lain.",
    # Back office (SOP 10-14).
    "back_office_required": "Pilih loket Back Office Anda terlebih dahulu.",
    "back_office_chosen": "Anda bertugas di {counter}.",
    "taken": "Kasus {label} diambil oleh {counter}.",
    "resolved": "Jawaban kasus {label} dikembalikan ke Front Office.",
    "forwarded": "Kasus {label} diteruskan ke {unit}.",
    "disposition": "Disposisi kasus {label} dicatat.",
    "case_not_for_unit": "Kasus {label} tidak sedang di unit utama.",
    # Time against the SOP's standard (Mutu Baku). The timed steps' names (docs/QUEUE.md,
    # ult.steps.STEP_TABLE): the live timers and the forms' headings both read them, a form
    # naming the step its action closes.
    "step_title": "Langkah {step} · {name}",
    "step_title_action": "Langkah {step} · {name}: {action}",
    "step_5": "Pemanggilan",
    "step_6": "Pengunjung menuju loket",
    "step_7": "Verifikasi identitas",
    "step_8": "Rincian permohonan",
    "step_9": "Verifikasi permohonan",
    "step_10": "Konsultasi ke Back Office",
    "step_11": "Diterima Back Office",
    "step_12": "Kajian Back Office",
    "step_13": "Koordinasi dengan unit utama",
    "step_14": "Disposisi diteruskan ke Front Office",
    "step_15": "Penjelasan kepada pengunjung",
    "step_16": "Penyelesaian dan survei",
    # Printer reason codes of a failed print (``print_failed`` payload).
    "reason_offline": "printer tidak siap",
    "reason_paper_out": "kertas habis",
    "reason_timeout": "printer tidak menjawab",
    "reason_error": "kesalahan printer",
    "reason_write_failed": "pratinjau tidak dapat ditulis",
    "reason_setup": "pengaturan printer salah",
    "reason_no_owner": "layanan printer (ult-kiosk) tidak berjalan",
    "reason_unconfirmed": "printer tidak mengonfirmasi; periksa apakah tiket keluar",
    "reason_expired": "permintaan cetak terlalu lama menunggu printer",
    "reason_busy": "printer terlalu lama sibuk",
    "reason_disabled": "tidak ada printer tiket",
    "reason_ticket_closed": "tiket sudah ditutup sebelum dicetak",
    "reason_unknown": "sebab tidak diketahui",
    # A ticket's history: events that are not one of the domain's actions.
    "event_issued": "diterbitkan",
    "event_printed": "tercetak",
    "event_print_failed": "gagal dicetak",
    "event_expired": "kedaluwarsa (pergantian hari)",
    # Issue 14, front office: the counter with several officers at work.
    "switch_holding": (
        "Anda masih menangani {label} di {counter}. Bila pindah loket, tiket itu tetap di "
        "{counter} tanpa petugas. Selesaikan atau pindahkan dahulu, atau centang "
        '"Tetap pindah loket".'
    ),
    "long_wait": "menunggu lama",
}
"""Staff pages (reception, counter, back office): flash messages and labels built in code."""

SUPERVISOR: dict[str, str] = {
    "unchanged": "Tidak ada yang berubah.",
    "running_text_set": "Teks berjalan papan panggilan diperbarui.",
    "running_text_cleared": "Teks berjalan papan panggilan dikosongkan.",
    "kind_front_office": "Front Office",
    "kind_back_office": "Back Office",
    "user_added": "Akun '{username}' ({role}) dibuat.",
    "user_disabled": "Akun '{username}' dinonaktifkan: tidak dapat masuk lagi.",
    "user_enabled": "Akun '{username}' diaktifkan kembali.",
    "role_changed": "Peran akun '{username}' sekarang {role}.",
    "password_reset": (
        "Kata sandi akun '{username}' diganti. Sampaikan kata sandi baru langsung kepada "
        "pemilik akun."
    ),
    "password_mismatch": "Kedua isian kata sandi tidak sama. Ketik ulang keduanya.",
    "not_yourself": (
        "Anda tidak dapat menonaktifkan atau mengubah peran akun Anda sendiri; minta supervisor "
        "lain melakukannya."
    ),
    "token_revoked": "Token '{name}' dicabut: perangkat yang memakainya tidak dapat masuk lagi.",
    "profile_saved": "Data petugas '{username}' disimpan: {name}.",
    "units_saved": "Unit utama akun '{username}': {units}.",
    "units_none": "tidak ada (akun ini tidak melihat kasus apa pun)",
}
"""Supervisor pages: catalog, users and tokens, running text, day overview."""

VISITOR: dict[str, str] = {
    # Title of the ticket page per ticket state.
    "waiting_title": "Menunggu panggilan",
    "called_title": "Nomor Anda dipanggil!",
    "serving_title": "Sedang dilayani",
    "answered_title": "Sedang dilayani",
    "explained_title": "Sedang dilayani",
    "escalated_title": "Sedang diproses petugas",
    "back_office_title": "Sedang diproses petugas",
    "with_unit_title": "Sedang diproses unit terkait",
    "answer_ready_title": "Jawaban sudah siap",
    "called_back_title": "Silakan kembali ke loket!",
    "done_title": "Layanan selesai",
    "no_show_title": "Tidak hadir saat dipanggil",
    "cancelled_title": "Nomor antrian dibatalkan",
    "expired_title": "Nomor antrian tidak berlaku lagi",
    # What it means for the visitor.
    "waiting_ahead": "Ada {ahead} nomor antrian di depan Anda.",
    # The place in line and the wait: ult.messages.WAIT_TEXT's words, as on the ticket.
    "waiting_nobody": "{nobody}.",
    "waiting_estimate": "{label} {wait}.",
    "waiting_stay": "Mohon tetap di ruang tunggu dan perhatikan layar panggilan.",
    # Issued by reception's override while the counters do not serve (closed day, after
    # closing, break): the page does not ask the visitor to sit and wait for a call.
    "waiting_closed_ask": "Tanyakan kepada petugas resepsionis kapan Anda akan dilayani.",
    "called_go": "Silakan menuju {counter} sekarang dengan membawa tiket ini.",
    "serving_at": "Anda sedang dilayani di {counter}.",
    "escalated_text": (
        "Permohonan Anda diteruskan kepada petugas Back Office. Mohon menunggu; hasilnya akan "
        "disampaikan oleh petugas Front Office."
    ),
    "back_office_text": (
        "Petugas Back Office sedang menangani permohonan Anda. Mohon menunggu; hasilnya akan "
        "disampaikan oleh petugas Front Office."
    ),
    "with_unit_text": (
        "Permohonan Anda sedang dikoordinasikan dengan unit terkait. Hasilnya akan disampaikan "
        "oleh petugas Front Office, langsung atau melalui kontak yang Anda berikan."
    ),
    "answer_ready_text": (
        "Jawaban untuk permohonan Anda sudah siap. Tunggu panggilan; Anda akan dipanggil kembali."
    ),
    # A returned case's visitor called back to a counter (issue 14, Queue.call_back).
    "called_back_go": "Silakan kembali ke {counter}.",
    "called_back_bring": "Petugas Front Office akan menyampaikan jawaban atas permohonan Anda.",
    "done_text": (
        "Terima kasih atas kunjungan Anda. Bantu kami meningkatkan layanan dengan mengisi "
        "Survei Kepuasan Masyarakat (SKM)."
    ),
    "no_show_text": (
        "Nomor Anda sudah dipanggil beberapa kali tetapi Anda belum datang. Silakan temui "
        "resepsionis."
    ),
    "cancelled_text": "Silakan temui resepsionis bila Anda masih memerlukan layanan.",
    "expired_text": (
        "Hari layanan nomor ini sudah berakhir. Silakan ambil nomor baru bila Anda masih "
        "memerlukan layanan."
    ),
    # The board's announcement WAV (JSON refusals).
    "announcement_invalid": (
        "Nomor antrian (1-16 karakter) dan nama loket (1-40 karakter) wajib diisi, satu baris."
    ),
    "announcement_unknown": "Tidak ada panggilan nomor ini ke loket itu hari ini.",
    "announcement_unspeakable": "Nomor antrian atau nama loket ini tidak dapat diucapkan.",
    "voice_missing": (
        "Paket suara belum tersedia di perangkat; panggilan hanya ditampilkan. Teknisi: "
        "jalankan ult voice build."
    ),
}
"""The visitor's ticket page /t/{token} and the browser board /board."""

API: dict[str, str] = {
    "field_required": "Kolom '{field}' wajib diisi.",
    "reason_counter": "harus berupa id loket (bilangan bulat positif).",
    "reason_unit": "harus berupa id unit utama (bilangan bulat positif) atau namanya.",
    "reason_string": "harus berupa teks.",
    "reason_boolean": "harus true atau false.",
    "reason_null": "tidak boleh null; hapus kolomnya bila tidak diisi.",
    "reason_encoding": "berisi karakter yang tidak sah.",
    "printer_unavailable": (
        "Printer tiket tidak dapat mencetak saat ini ({state}). Tiket belum diterbitkan: "
        "perbaiki printer, atau terbitkan tanpa cetak lalu sebutkan nomornya kepada pengunjung."
    ),
    "reprint_closed": "Tiket {label} sudah {state}; tidak dicetak ulang.",
}
"""JSON API texts beyond ``ERRORS``."""

GUESTBOOK: dict[str, str] = {
    "date_invalid": "Tanggal '{value}' tidak valid: tulis TTTT-BB-HH, misalnya 2026-11-24.",
    "range_reversed": "Tanggal awal ({start}) sesudah tanggal akhir ({end}).",
    "range_too_long": "Rentang paling panjang {days} hari; persempit tanggalnya.",
    "service_invalid": "Layanan '{value}' tidak dikenal.",
    "shown_newest": "Menampilkan {shown} kunjungan terbaru; persempit tanggal atau pencarian.",
}
"""The guest-book page (``admin.guestbook``)."""
CASES: dict[str, str] = {
    "date_invalid": "Tanggal '{value}' tidak valid: tulis TTTT-BB-HH, misalnya 2026-11-24.",
    "range_reversed": "Tanggal awal ({start}) sesudah tanggal akhir ({end}).",
    "range_too_long": "Rentang paling panjang {days} hari; persempit tanggalnya.",
    "shown_newest": "Menampilkan {shown} kasus terbaru; persempit tanggal atau pencarian.",
    "searched_label": "Dicari menurut nomor antrian.",
    "searched_document": "Dicari menurut nomor identitas (seluruh atau sebagian).",
    "searched_name": "Dicari menurut nama pengunjung.",
    "step_waiting": "Tunggu antrian (langkah 4–5)",
    # Events of a case that the staff pages' history does not name (PAGES["event_*"]).
    "event_print_requested": "diminta dicetak",
    "event_print_unconfirmed": "pencetakan tidak terkonfirmasi",
    "event_visitor_registered": "didaftarkan data pengunjungnya",
}
"""The case search and the read-only case view (``admin.cases``)."""
REPORTS: dict[str, str] = {
    "parameter_unknown": "Parameter '{name}' tidak dikenal. Pilihan: {choices}.",
    "personal_only": (
        "Buku tamu dan catatan langkah memuat data pribadi: hanya supervisor yang dapat "
        "membaca dan mengunduhnya."
    ),
    "section_steps": "Catatan langkah SOP (satu baris per kasus dan langkah)",
    "section_guestbook": "Buku tamu (kunjungan dengan identitas)",
    "chart_daily": "Tiket per hari menurut hasilnya",
    # The satisfaction index (IKM) view.
    "chart_ikm": "Nilai konversi per unsur (NRR × 25)",
    "chart_times": "Waktu tunggu dan waktu layanan per layanan (menit)",
    "chart_compliance": "Kepatuhan per langkah: bagian yang selesai dalam standar",
    "chart_step_times": "Waktu per langkah dibanding standarnya (menit)",
    "chart_officers": "Langkah yang melewati standar per petugas",
    "chart_step": "Langkah {step}",
    "chart_wait_step": "Tunggu 4–5",
    "wait_step_title": "Tunggu antrian (langkah 4–5)",
    "xlsx_too_big_page": (
        "Terlalu banyak baris untuk XLSX pada periode ini: unduh tiap tabel sebagai CSV."
    ),
}
"""Report pages and ``/api/v1/reports`` (request refusals: ``ult.messages.REPORT_TEXT``)."""


SURVEY: dict[str, str] = {
    "nonce_invalid": (
        "Formulir ini tidak dikirim dari halaman survei nomor Anda. Buka lagi halaman survei "
        "dari kode QR pada tiket, lalu kirim dari sana."
    ),
    "tablet_counter_unknown": "Loket ini tidak ada, tidak aktif, atau bukan loket Front Office.",
    "tablet_ticket": (
        "Mohon maaf, survei ini tidak dapat dikirim dari tablet ini: tablet hanya menerima "
        "survei nomor yang baru saja selesai dilayani di loket ini. Silakan tanyakan kepada "
        "petugas."
    ),
    "link_not_finished": (
        "Tautan survei untuk {label} tersedia setelah layanannya selesai (langkah 16)."
    ),
    "qr_unknown": (
        "Kode QR survei hanya tersedia untuk nomor yang baru saja Anda selesaikan di loket ini."
    ),
    "link_not_yours": (
        "Tautan survei untuk {label} hanya dapat dicetak oleh petugas yang baru saja "
        "menyelesaikan layanannya, sebelum memanggil nomor berikutnya."
    ),
}
"""The satisfaction survey's pages (admin.survey): the visitor's phone, the desk tablet,
the printed survey link."""
PRIVACY: dict[str, str] = {
    "date_invalid": "Tanggal '{value}' tidak valid; tulis TTTT-BB-HH.",
    "range_reversed": (
        "Tanggal awal ({start}) harus sama dengan atau sebelum tanggal akhir ({end})."
    ),
    "page_invalid": "Halaman harus bilangan bulat 1 atau lebih.",
    "user_invalid": "Nama pengguna terlalu panjang atau berisi karakter yang tidak diizinkan.",
    "erased": (
        "Identitas {count} kunjungan telah dihapus; angka statistik dan waktu langkah tetap. "
        "Penghapusan tercatat di daftar di bawah."
    ),
    "confirm_missing": (
        'Belum ada yang dihapus: centang "Saya memastikan pemilik data meminta penghapusan '
        'ini" setelah mencocokkan kunjungan di bawah dengan pemohon, lalu tekan Hapus '
        "identitas."
    ),
    "kind_viewed": "Dilihat",
    "kind_exported": "Diekspor",
    "kind_erased": "Dihapus atas permintaan",
    "kind_purged": "Dihapus karena masa simpan",
}
"""The supervisor's personal-data page (``/privasi``, UU 27/2022)."""

PRIVACY_WHAT: dict[str, str] = {
    "guestbook_page": "Halaman buku tamu",
    "case_search": "Halaman cari kasus",
    "case_view": "Halaman kasus (baca saja)",
    "report_export": "Ekspor laporan",
    "prefill_api": "API isi dari kunjungan terakhir",
    "prefill_page": "Formulir: isi dari kunjungan terakhir",
    "ticket_api": "API detail tiket",
    "counter_case": "Halaman loket: kasus",
    "back_office_case": "Halaman Back Office: kasus",
    "access_request": "Permintaan akses (berkas JSON)",
    "erasure_request": "Permintaan penghapusan",
}
"""What a personal-data event names (payload ``what``), as the audit list shows it."""
