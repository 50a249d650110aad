"""Every text of the ``kiosk`` package that a person reads, in Indonesian, in one place.

Keys are stable codes (also used as the ``error`` code of the JSON API); values are
``str.format`` templates. Translate here, nowhere else.
"""

from __future__ import annotations

ERRORS: dict[str, str] = {
    "period_invalid": "Periode laporan tidak valid: {start} sampai {end}.",
    "period_too_long": "Periode laporan {days} hari terlalu panjang (paling lama {limit} hari).",
    "period_kind_unknown": "Jenis periode '{period}' tidak dikenal. Pilihan: {kinds}.",
    "report_section_unknown": "Bagian laporan '{section}' tidak dikenal. Pilihan: {sections}.",
    "service_unknown": "Layanan '{service}' tidak dikenal.",
    "service_inactive": "Layanan {service} sedang tidak aktif.",
    "issuing_closed": (
        "{notice}. Tiket hanya dapat diterbitkan oleh resepsionis dengan pengecualian jam layanan."
    ),
    "override_kiosk": "Tombol kiosk tidak dapat menerbitkan tiket dengan pengecualian.",
    "quota_reached": (
        "Kuota layanan {service} hari ini ({quota} tiket) sudah habis. Tiket hanya dapat "
        "diterbitkan oleh resepsionis dengan pengecualian kuota."
    ),
    "topic_unknown": "Topik '{topic}' tidak tersedia pada layanan {service}. Pilihan: {topics}.",
    "counter_unknown": "Loket '{counter}' tidak dikenal.",
    "counter_not_front_office": "{counter} bukan loket Front Office.",
    "counter_not_back_office": "{counter} bukan loket Back Office.",
    "counter_inactive": "{counter} sedang tidak aktif.",
    "counter_paused": "{counter} sedang jeda. Lanjutkan loket terlebih dahulu.",
    "counter_busy": (
        "{counter} masih menangani {label}. Selesaikan dahulu sebelum memanggil nomor lain."
    ),
    "counter_not_paused": "{counter} tidak sedang jeda.",
    "counter_already_paused": "{counter} sudah dalam keadaan jeda.",
    "service_not_served": "{counter} tidak melayani layanan {service}.",
    "ticket_unknown": "Tiket '{ticket}' tidak ditemukan.",
    "wrong_state": "Tiket {label} berstatus '{state}'; tidak dapat {action}.",
    "not_at_counter": "Tiket {label} tidak sedang ditangani oleh {counter}.",
    "ticket_of_past_day": "Tiket {label} berasal dari hari sebelumnya ({day}).",
    "recall_cooldown": "Tunggu {seconds} detik lagi sebelum memanggil ulang {label}.",
    "no_show_too_early": (
        "{label} baru dipanggil ulang {recalls} kali; perlu {required} kali panggilan ulang "
        "sebelum dinyatakan tidak hadir."
    ),
    "transfer_same_service": "Tiket {label} sudah berada di layanan {service}.",
    "unit_unknown": "Unit utama '{unit}' tidak dikenal.",
    "text_required": "{field} wajib diisi.",
    "text_too_long": "{field} paling banyak {limit} karakter.",
    "text_unprintable": "{field} berisi karakter kontrol atau pemisah baris yang tidak diizinkan.",
    "choice_invalid": "{field} harus salah satu dari: {choices}.",
    "flag_invalid": "{field} harus ya atau tidak (true/false).",
    "nik_invalid": "{reason}",
    "phone_invalid": (
        "Nomor telepon tidak valid: tulis 8–15 angka, boleh diawali +62 atau 0, tanpa huruf."
    ),
    "letter_required": (
        "Pengunjung yang mewakili orang lain wajib menunjukkan surat kuasa atau surat tugas; "
        "isi jenis dan nomor suratnya."
    ),
    "letter_without_acting": (
        "Data yang diwakili dan surat kuasa/tugas hanya diisi bila pengunjung mewakili orang lain."
    ),
    "represented_required": (
        "Pengunjung yang mewakili orang lain: isi nama orang atau lembaga yang diwakili."
    ),
    "letter_date_invalid": (
        "Tanggal surat tidak valid: tulis tanggal yang ada (TTTT-BB-HH), tidak sesudah hari ini."
    ),
    "document_kind_invalid": "Jenis kartu identitas harus salah satu dari: {choices}.",
    "document_number_invalid": "Nomor {document} tidak valid: {rule}.",
    "document_number_twice": (
        "Isi nomor kartu identitas satu kali saja: 'nik' hanya untuk KTP, selain itu "
        "'document_number'."
    ),
    "name_differs": (
        'Nomor {document} ini pada kunjungan terakhir tercatat atas nama "{stored}", bukan '
        '"{typed}". Periksa kartu identitasnya; bila nama yang diketik benar, centang '
        '"Simpan walau nama berbeda" lalu simpan lagi.'
    ),
    "exemption_required": (
        "Informasi yang dikecualikan wajib disertai dasar pengecualiannya (UU 14/2008 Pasal 17 "
        "huruf a–j)."
    ),
    "exemption_invalid": (
        "Dasar pengecualian harus salah satu huruf Pasal 17 UU 14/2008: {choices}."
    ),
    "exemption_without_excepted": (
        "Dasar pengecualian hanya diisi bila informasinya dikecualikan."
    ),
    "exemption_not_information": (
        "Dasar pengecualian Pasal 17 UU 14/2008 hanya untuk permohonan informasi publik "
        "(layanan {service}), bukan tiket {label}."
    ),
    "purpose_not_information": (
        "Tujuan penggunaan informasi hanya untuk permohonan informasi publik (layanan "
        "{service}), bukan tiket {label}."
    ),
    "idempotency_conflict": (
        "Kunci permintaan ini sudah dipakai untuk tiket {label} dengan isi yang berbeda."
    ),
    "idempotency_key_invalid": "Kunci permintaan harus 1–64 karakter huruf, angka, '-' atau '_'.",
    "source_invalid": "Sumber tiket '{source}' tidak dikenal.",
    "actor_invalid": (
        "Pelaku tindakan harus diisi: 1–64 karakter dalam satu baris (nama pengguna atau "
        "perangkat)."
    ),
    "username_invalid": (
        "Nama pengguna harus 3–32 karakter: huruf kecil, angka, titik, '-' atau '_'."
    ),
    "username_taken": "Nama pengguna '{username}' sudah dipakai.",
    "user_unknown": "Pengguna '{username}' tidak ditemukan.",
    "role_invalid": "Peran '{role}' tidak dikenal. Pilih salah satu: {roles}.",
    "password_too_short": "Kata sandi paling sedikit {minimum} karakter dan tidak hanya spasi.",
    "token_name_invalid": "Nama token harus 1–60 karakter dalam satu baris.",
    "catalog_letter_invalid": "Huruf layanan harus satu huruf A sampai Z.",
    "catalog_letter_taken": (
        "Huruf {letter} sudah dipakai layanan '{name}'. Ubah layanan itu, atau pilih huruf lain."
    ),
    "catalog_name_taken": "{field} '{name}' sudah ada. Ubah yang sudah ada, atau pilih nama lain.",
    "catalog_duplicate": "{field} '{name}' tertulis lebih dari sekali.",
    "catalog_kind_invalid": "Jenis loket harus Front Office atau Back Office.",
    "catalog_counter_services": "Loket Front Office harus melayani paling sedikit satu layanan.",
    "catalog_active_needed": "Paling sedikit satu layanan harus tetap aktif.",
    "catalog_service_unserved": (
        "Layanan {letters} tidak akan dilayani loket Front Office aktif mana pun, sehingga "
        "antriannya menunggu tanpa akhir. Atur loket Front Office yang melayaninya terlebih dahulu."
    ),
    "catalog_counter_in_use": (
        "{counter} sedang menangani {label}. Selesaikan atau pindahkan tiket itu dahulu."
    ),
    "catalog_unknown_letter": "Layanan '{letter}' tidak dikenal.",
    "token_unknown": "Token nomor {token} tidak ditemukan.",
    "token_revoked": "Token '{name}' sudah dicabut sebelumnya.",
    # Officers on record (issue 11, section 3).
    "password_weak": (
        "Kata sandi ini terlalu mudah ditebak: {reason} Pakai gabungan beberapa kata yang "
        "tidak umum, atau kalimat pendek yang hanya Anda ketahui."
    ),
    "full_name_invalid": "Nama lengkap paling banyak {limit} karakter dalam satu baris.",
    "position_invalid": "Jabatan paling banyak {limit} karakter dalam satu baris.",
    "nip_invalid": (
        "NIP tidak valid: NIP PNS terdiri dari 18 angka (tanggal lahir TTTTBBHH, TMT "
        "pengangkatan TTTTBB, jenis kelamin 1/2, nomor urut). Kosongkan bila petugas bukan PNS."
    ),
    "unit_account_only": (
        "Hanya akun unit utama yang dapat ditetapkan ke unit utama; '{username}' berperan lain."
    ),
    "counter_held": (
        "{counter} sedang dipakai oleh {holder}. Untuk mengambil alih, konfirmasi dan tulis "
        "alasannya (mis. petugas berhalangan, dengan surat penugasan)."
    ),
    "counter_not_sitting": (
        "Anda tidak sedang bertugas di {counter}. Pilih loket itu lagi (bertugas) sebelum "
        "bertindak di sana."
    ),
    "counter_taken_over": (
        "{counter} telah diambil alih oleh {holder}. Anda tidak dapat bertindak di loket itu "
        "kecuali mengambilnya kembali."
    ),
    "counter_already_yours": "Anda sudah bertugas di {counter}.",
    "takeover_reason_required": (
        "Tulis alasan mengambil alih {counter} dari {holder} (1–300 karakter)."
    ),
    "assignment_incomplete": (
        "Surat penugasan perlu nomor dan tanggalnya; isi keduanya atau kosongkan keduanya."
    ),
    "assignment_date_invalid": "Tanggal surat penugasan harus tanggal yang ada (TTTT-BB-HH).",
    "case_incomplete": (
        "{label} belum dapat diselesaikan: {missing} belum dicatat (langkah 16). Lengkapi "
        "dahulu, atau pilih alasan yang dicatat mengapa tidak lengkap."
    ),
    "incomplete_reason_unneeded": (
        "{label} sudah lengkap (identitas dan rincian tercatat); alasan tidak lengkap tidak "
        "perlu diisi."
    ),
    "case_not_for_unit": (
        "{label} tidak ditangani unit Anda; hanya unit yang dituju yang dapat melihatnya."
    ),
    "unit_unbound": (
        "Akun Anda belum ditetapkan ke unit utama mana pun. Minta supervisor menetapkannya."
    ),
    # The satisfaction survey (ult.survey, issue 13): read by visitors on their phones.
    "survey_instrument_unknown": "Survei ini tidak tersedia.",
    "survey_not_finished": (
        "Survei untuk nomor {label} dapat diisi setelah layanannya selesai. Silakan kembali "
        "ke halaman ini setelah petugas menyelesaikan layanan Anda."
    ),
    "survey_already_answered": "Survei untuk nomor ini sudah diisi. Terima kasih.",
    "survey_closed": (
        "Mohon maaf, survei untuk nomor {label} sudah ditutup: survei dapat diisi sampai "
        "{days} hari setelah hari layanan. Terima kasih atas kunjungan Anda."
    ),
    "survey_answer_invalid": "Jawaban untuk {element} harus salah satu pilihan 1 sampai 4.",
    "survey_answer_unknown": "Pertanyaan '{name}' tidak ada pada survei ini.",
    "survey_empty": "Pilih jawaban untuk paling sedikit satu pertanyaan sebelum mengirim.",
    "survey_profile_invalid": "Pilihan untuk '{question}' tidak tersedia; pilih dari daftar.",
    "survey_suggestion_invalid": "Saran harus berupa teks.",
    "survey_suggestion_too_long": (
        "Saran paling banyak {limit} karakter (tertulis {length}); singkatkan sedikit."
    ),
    # Personal data (ult.privacy, UU 27/2022).
    "identity_number_required": "Isi nomor identitas (NIK atau nomor dokumen lain).",
    "identity_number_invalid": (
        "Nomor identitas tidak valid: tulis 3–{limit} huruf atau angka (spasi, titik dan tanda "
        "hubung diabaikan)."
    ),
    "identity_not_held": "Tidak ada kunjungan yang menyimpan nomor identitas ini.",
    "audit_kind_invalid": "Jenis catatan harus salah satu dari: {choices}.",
    "priority_category_invalid": "Kategori prioritas harus salah satu dari: {choices}.",
    "priority_category_required": (
        "Pilih kategori prioritas: lansia, penyandang disabilitas, ibu hamil, atau membawa anak "
        "kecil."
    ),
    "priority_category_missing": (
        "Tiket prioritas wajib disertai kategori prioritas (UU 25/2009 Pasal 29): {choices}."
    ),
    "priority_category_without_priority": (
        "Kategori prioritas hanya diisi untuk pengunjung prioritas."
    ),
    "already_priority": "Tiket {label} sudah berstatus prioritas.",
}
"""Domain refusals, by code. The JSON API returns the code and this text."""

STATES: dict[str, str] = {
    "waiting": "menunggu",
    "called": "dipanggil",
    "serving": "sedang dilayani",
    "answered": "sudah dijawab",
    "escalated": "diteruskan ke Back Office",
    "back_office": "ditangani Back Office",
    "with_unit": "di unit utama",
    "disposition_received": "disposisi di Back Office",
    "answer_ready": "jawaban siap",
    "explained": "sudah dijelaskan",
    "done": "selesai",
    "no_show": "tidak hadir",
    "cancelled": "dibatalkan",
    "expired": "kedaluwarsa",
}
"""A ticket's state as staff read it."""

ACTIONS: dict[str, str] = {
    "call": "dipanggil",
    "recall": "dipanggil ulang",
    "no_show": "dinyatakan tidak hadir",
    "reactivate": "diaktifkan kembali",
    "start": "mulai dilayani",
    "identify": "dicatat identitasnya",
    "detail": "dicatat rincian permohonannya",
    "answer": "dijawab langsung",
    "escalate": "diteruskan ke Back Office",
    "take": "diambil Back Office",
    "resolve": "diselesaikan Back Office",
    "forward": "diteruskan ke unit utama",
    "disposition": "dicatat disposisinya",
    "consult": "dikonsultasikan ke Back Office",
    "relay": "disampaikan disposisinya ke Front Office",
    "call_back": "dipanggil kembali ke loket",
    "explain": "dijelaskan kepada pengunjung",
    "finish": "diselesaikan",
    "cancel": "dibatalkan",
    "transfer": "dipindahkan ke layanan lain",
    "prioritize": "dijadikan prioritas",
    "register_visitor": "didaftarkan data pengunjungnya",
}
"""What an action does to a ticket, for the ``wrong_state`` message."""

FIELDS: dict[str, str] = {
    "override": "Pengecualian jam layanan dan kuota",
    "name": "Nama",
    "running_text": "Teks berjalan",
    "institution": "Instansi",
    "letter_type": "Jenis surat",
    "letter_number": "Nomor surat",
    "detail": "Rincian permohonan",
    "answer": "Jawaban",
    "answer_kind": "Jenis jawaban",
    "note": "Catatan",
    "disposition": "Disposisi",
    "mode": "Cara penjelasan",
    "outcome": "Hasil layanan",
    "reason": "Alasan",
    "priority": "Prioritas",
    "priority_category": "Kategori prioritas",
    "acting_for": "Mewakili orang lain",
    "address": "Alamat",
    "occupation": "Pekerjaan",
    "represents_name": "Nama yang diwakili",
    "represents_institution": "Instansi yang diwakili",
    "information_purpose": "Tujuan penggunaan informasi",
    "exemption_note": "Catatan pengecualian",
    "search": "Pencarian",
    "confirm_name_change": "Simpan walau nama berbeda",
    "survey_invited": "Undangan survei",
    "printed": "Status cetak",
    "printer_state": "Keadaan printer",
    "incomplete_reason": "Alasan tidak lengkap",
}
"""Names of input fields, for validation messages."""

CHOICES: dict[str, str] = {
    "available": "tersedia",
    "excepted": "dikecualikan",
    "direct": "langsung",
    "indirect": "tidak langsung",
    "surat_kuasa": "surat kuasa",
    "surat_tugas": "surat tugas",
    "resolved": "tuntas",
    "unresolved": "belum tuntas",
    "visitor_declined": "pengunjung menolak",
    "anonymous_complaint": "pengaduan anonim",
    "no_identity_document": "tidak membawa kartu identitas",
}
"""Indonesian names of the fixed choices the domain accepts."""

RECORD_NAMES: dict[str, str] = {
    "identity": "identitas pengunjung (langkah 7)",
    "request_detail": "rincian permohonan (langkah 8)",
}
"""The parts of a complete service record (SOP 16, ``ult.queue.RECORD_KINDS``)."""
DOCUMENT_KINDS: dict[str, tuple[str, str]] = {
    "ktp": ("KTP (NIK)", "NIK 16 angka sesuai KTP; spasi, titik dan tanda hubung diabaikan"),
    "sim": ("SIM", "12–14 angka; spasi, titik dan tanda hubung diabaikan"),
    "paspor": ("Paspor", "6–9 huruf atau angka, misalnya A1234567"),
    "kartu_pegawai": (
        "Kartu pegawai (NIP)",
        "NIP 18 angka (atau NIP lama 9 angka); spasi, titik dan tanda hubung diabaikan",
    ),
    "kartu_pelajar": (
        "Kartu pelajar / mahasiswa",
        "3–30 huruf atau angka (NISN, NIS atau NIM), boleh memakai titik, garis miring, tanda "
        "hubung",
    ),
    "lainnya": (
        "Kartu identitas lain",
        "3–40 huruf atau angka, boleh memakai spasi, titik, garis miring, tanda hubung",
    ),
}
"""SOP 7 (*kartu identitas*): each document kind's Indonesian name and its number rule."""

EXEMPTIONS: dict[str, str] = {
    "a": "menghambat proses penegakan hukum",
    "b": "mengganggu perlindungan hak kekayaan intelektual dan persaingan usaha yang sehat",
    "c": "membahayakan pertahanan dan keamanan negara",
    "d": "mengungkapkan kekayaan alam Indonesia",
    "e": "merugikan ketahanan ekonomi nasional",
    "f": "merugikan kepentingan hubungan luar negeri",
    "g": "mengungkapkan isi akta otentik yang bersifat pribadi dan wasiat seseorang",
    "h": "mengungkap rahasia pribadi",
    "i": "memorandum atau surat antar/intra Badan Publik yang menurut sifatnya dirahasiakan",
    "j": "informasi yang tidak boleh diungkapkan berdasarkan undang-undang",
}
"""UU 14/2008 (Keterbukaan Informasi Publik) Pasal 17 huruf a–j: the grounds on which public
information is excepted from disclosure (SOP 9a, answer ``excepted``), in short."""

GUESTBOOK_COLUMNS: dict[str, str] = {
    "day": "Tanggal",
    "label": "Nomor antrian",
    "service": "Layanan",
    "topic": "Topik",
    "document_kind": "Jenis identitas",
    "document_number": "Nomor identitas",
    "name": "Nama",
    "institution": "Instansi",
    "phone": "Telepon",
    "address": "Alamat",
    "occupation": "Pekerjaan",
    "represents_name": "Mewakili",
    "represents_institution": "Instansi yang diwakili",
    "letter_type": "Jenis surat",
    "letter_number": "Nomor surat",
    "letter_date": "Tanggal surat",
    "information_purpose": "Tujuan penggunaan informasi",
    "answer_kind": "Keputusan",
    "exemption": "Dasar pengecualian",
    "exemption_note": "Catatan pengecualian",
    "recorded_at": "Dicatat pada",
    "recorded_by": "Dicatat oleh",
    "step": "Langkah SOP",
}
"""Titles of the guest book's columns (``ult.guestbook.visit_columns``), pages and exports."""
ERASED_IDENTITY = "(dihapus)"
"""The name and document number of a visit whose identity was erased (UU 27/2022: the
retention purge or a request), wherever the guest book shows it, masked or not."""

CATALOG: dict[str, str] = {
    "service_added": "Layanan {letter} ({name}) ditambahkan.",
    "service_changed": "Layanan {letter} ({name}) diperbarui.",
    "service_deactivated": "Layanan {letter} ({name}) dinonaktifkan: tidak menerbitkan tiket baru.",
    "service_retired": "Layanan {letter} ({name}) tidak ada lagi di pengaturan: dinonaktifkan.",
    "topic_added": "Topik '{topic}' pada layanan {letter} ditambahkan.",
    "topic_retired": "Topik '{topic}' pada layanan {letter} dinonaktifkan.",
    "counter_added": "{name} ditambahkan.",
    "counter_changed": "{name} diperbarui.",
    "counter_services": "{name} sekarang melayani: {services}.",
    "counter_retired": "{name} tidak ada lagi di pengaturan: dinonaktifkan.",
    "unit_added": "Unit utama '{name}' diaktifkan.",
    "unit_retired": "Unit utama '{name}' dinonaktifkan.",
    "init_catalog_kept": (
        "Katalog (layanan, topik, loket, unit utama) dikelola supervisor di halaman admin sejak "
        "{at} (terakhir oleh {actor}); isinya di berkas pengaturan TIDAK diterapkan. Untuk "
        "memakai isi berkas pengaturan lagi: ult init --apply-catalog"
    ),
    "file_restored": "Katalog kembali mengikuti berkas pengaturan.",
    "counter_deactivated": "{name} dinonaktifkan.",
    "unit_renamed": "Unit utama '{old}' sekarang bernama '{name}'.",
    "unit_deactivated": "Unit utama '{name}' dinonaktifkan.",
}
"""What ``ult init`` reports when it applies the settings' catalogue to the store."""

CLI: dict[str, str] = {
    "issued": "Tiket {label} ({service}) diterbitkan. Menunggu di depan: {ahead}; "
    "perkiraan tunggu: {wait}.",
    "issued_again": "Tiket {label} sudah diterbitkan untuk permintaan ini sebelumnya.",
    "issue_category_required": (
        "Tiket prioritas wajib disertai kategori: --priority-category dengan salah satu dari "
        "{choices}."
    ),
    "called": "{counter} memanggil {label}.",
    "nothing_waiting": "Tidak ada antrian yang menunggu untuk {counter}.",
    "init_settings": "Berkas pengaturan ditulis: {path}",
    "init_settings_kept": "Berkas pengaturan sudah ada, tidak diubah: {path}",
    "init_database": "Basis data siap (skema versi {version}): {path}",
    "init_no_users": "Belum ada pengguna. Buat supervisor pertama dengan: "
    "ult user add NAMA --role supervisor",
    "user_added": "Pengguna '{username}' ({role}) dibuat.",
    "user_disabled": "Pengguna '{username}' dinonaktifkan.",
    "user_set": "Data petugas '{username}' disimpan: {name}.",
    "user_units": "Unit utama akun '{username}': {units}.",
    "no_users": "Belum ada pengguna.",
    "password_prompt": "Kata sandi",
    "password_stdin_empty": "Tidak ada kata sandi pada masukan standar.",
    "password_no_terminal": "Tidak ada terminal untuk menanyakan kata sandi; kirim kata sandi "
    "lewat masukan standar dengan --password-stdin.",
    "aborted": "Dibatalkan.",
    "token_created": "Token '{name}' ({role}) dibuat. Simpan sekarang; token ini tidak "
    "ditampilkan lagi:",
    "rollover_started": "Hari antrian baru {day} dimulai: nomor mulai lagi dari 1, {expired} "
    "tiket hari sebelumnya ditutup (kedaluwarsa).",
    "record_rebuilt": "Catatan langkah dihitung ulang dari log kejadian: {count} baris.",
    "rollover_same_day": "Hari antrian {day} sudah berjalan; tidak ada yang diubah.",
    "checkpoint_done": "WAL digabungkan ke basis data ({pages} halaman; berkas -wal kini "
    "{size} KB).",
    "checkpoint_busy": "WAL belum dapat digabungkan seluruhnya: ada pembaca yang masih "
    "membuka basis data. Dicoba lagi pada jadwal berikutnya.",
    "status_title": "{office} — {date}",
    "status_services": "Layanan",
    "status_counters": "Loket",
    "status_service_row": "{letter}  {name:<24} menunggu {waiting:>3}  diproses {active:>3}  "
    "selesai {done:>3}  lainnya {other:>3}",
    "status_legend": "diproses: di loket, Back Office atau unit utama; lainnya: tidak hadir, "
    "dibatalkan atau kedaluwarsa.",
    "status_quota_row": "Kuota hari ini {letter} ({name}): {used}/{quota} terpakai, sisa {left}",
    "status_quota_full": (
        "Kuota hari ini {letter} ({name}): {used}/{quota} terpakai, habis (hanya resepsionis "
        "yang dapat menerbitkan di luar kuota)"
    ),
    "status_counter_row": "{name:<14} {state}",
    "status_counter_idle": "siap",
    "status_counter_paused": "jeda",
    "status_counter_holding": "{label} ({state})",
    "status_back_office": "Kasus di Back Office / unit utama: {count}",
    "status_issuing_open": "Pengambilan nomor antrian: dibuka sampai pukul {until}",
    "status_issuing_closed": "Pengambilan nomor antrian: {notice}",
    "status_hours_off": (
        "Pengambilan nomor antrian: jam layanan tidak dibatasi ([hours] enabled = false)"
    ),
    "status_clock_behind": "PERINGATAN: jam sistem lebih awal dari catatan terakhir ({newest}). "
    "Periksa jam perangkat; penomoran tetap dilanjutkan tanpa mengulang. Bila jam sekarang "
    "sudah benar dan sebelumnya terlalu maju, jalankan: ult correct-day",
    "day_not_ahead": "Hari antrian sudah sesuai jam sistem; tidak ada yang diubah.",
    "day_ahead": "Hari antrian {old} lebih maju dari jam sistem ({new}).",
    "day_ahead_tickets": "Tiket hari itu yang masih dalam antrian atau di loket tetap dapat "
    "dipanggil sampai selesai, lalu ditutup pada pergantian hari berikutnya: {labels}",
    "day_confirm": "Jam sistem sekarang benar dan hari antrian harus dipindahkan?",
    "day_unchanged": "Tidak ada yang diubah.",
    "day_corrected": "Hari antrian dipindahkan dari {old} ke {new} (sesuai jam sistem).",
    "settings_error": "Kesalahan pengaturan: {error}",
    "database_error": "Basis data tidak dapat dibuka ({path}): {error}. Pastikan direktori "
    "{directory} ada dan dapat ditulis oleh pengguna ini (SQLite menulis berkas -wal dan -shm "
    "di sebelahnya).",
    # A technician who follows this from the wrong folder must not start a second appliance:
    # the message names the path and where the installed appliance's settings are.
    "database_missing": "Basis data belum disiapkan ({path}). Di peralatan yang terpasang "
    "(make install) jalankan ult dengan sudo, tanpa ULT_HOME atau ULT_CONFIG: pengaturannya "
    "/etc/ult/ult.toml. Hanya untuk peralatan baru di tempat ini: ult init",
    "database_empty": "Berkas basis data {path} kosong atau bukan basis data ULT. Bila berkas ini "
    "hasil pemulihan cadangan, periksa cadangannya; bila ini instalasi baru, jalankan: ult init",
    "schema_newer": "Basis data {path} dibuat oleh versi program yang lebih baru (skema "
    "{found}, program ini {supported}). Perbarui program ini.",
    "database_busy": "Basis data sedang dipakai proses lain terlalu lama; coba lagi sebentar "
    "lagi. ({error})",
    "database_failed": "Basis data bermasalah: {error}. Periksa dengan: "
    "sqlite3 BERKAS 'PRAGMA integrity_check' dan pulihkan dari cadangan bila rusak.",
    "file_error": "Berkas tidak dapat dibaca atau ditulis: {error}",
    "disk_full": "Disk penyimpanan penuh: tidak ada yang dapat dicatat ({error}). Tidak ada "
    "yang berubah. Kosongkan ruang disk (periksa dengan: df -h), lalu ulangi.",
    "schema_newer_backup": "Untuk kembali ke versi ini, pulihkan cadangan terbaru yang dapat "
    "dibacanya: ult restore {backup}",
    "backup_written": "Cadangan ditulis dan diperiksa utuh: {path} (skema {version}, "
    "{events} peristiwa, {size} KB)",
    "backup_pruned": "Cadangan lama dihapus (disimpan {kept} terbaru): {path}",
    "backup_dest_missing": "Folder tujuan {path} tidak ada. Untuk flashdisk: pasang dahulu "
    "(lsblk menunjukkan titik kaitnya), lalu ulangi dengan folder itu.",
    "backup_dest_not_mounted": "{path} ada di disk yang sama dengan basis data (kartu SD): "
    "flashdisk belum terpasang di sana. Tidak ada yang ditulis. Pasang flashdisk dahulu "
    "(lsblk menunjukkan titik kaitnya), lalu ulangi.",
    "backup_dest_not_writable": "Folder tujuan {path} tidak dapat ditulis oleh pengguna "
    "{user} (perintah ult berjalan sebagai pengguna itu). Basis data tidak bermasalah; tidak "
    "ada yang diubah. Pasang flashdisk dengan uid pengguna itu (sudo mount -o "
    "uid={user},gid={user} /dev/sdX1 {path}) atau: sudo chown {user} {path}",
    "backup_dest_full": "Tujuan cadangan {path} penuh ({error}); tidak ada cadangan yang "
    "ditulis. Data peralatan sendiri tidak terganggu. Kosongkan flashdisk atau pakai "
    "flashdisk lain, lalu ulangi.",
    "path_denied": "{path}: izin ditolak ({error}). Perintah ult berjalan sebagai pengguna "
    "{user}, bukan sebagai Anda: tulis ke /tmp atau /var/lib/ult, atau buat berkasnya dapat "
    "dibaca {user} (mis. cp BERKAS /tmp/ && chmod 644 /tmp/BERKAS). Tidak ada yang diubah.",
    "backup_dest_not_dir": "{path} bukan folder. Berikan folder tujuan cadangan.",
    "backup_missing": "Berkas cadangan {path} tidak ada atau tidak dapat dibaca. {detail}",
    "backup_not_sqlite": "{path} bukan berkas basis data SQLite; tidak ada yang diubah.",
    "backup_damaged": "Cadangan {path} rusak ({detail}); tidak ada yang diubah. Pilih cadangan "
    "lain (ls {folder}).",
    "backup_not_ours": "{path} bukan basis data ULT; tidak ada yang diubah.",
    "backup_too_new": "Cadangan {path} dibuat oleh versi program yang lebih baru (skema "
    "{detail}); perbarui program ini dahulu. Tidak ada yang diubah.",
    "restore_in_use": "Basis data {path} sedang dipakai ({who}); pemulihan ditolak, tidak ada "
    "yang diubah. Hentikan layanan dahulu, atau ulangi dengan --stop-services agar layanan "
    "dihentikan lalu dijalankan lagi.",
    "restore_no_units": "Basis data {path} dipakai proses lain ({who}) yang bukan layanan ULT "
    "yang berjalan di systemd; hentikan proses itu sendiri (fuser -v {path}*), lalu ulangi.",
    "restore_stop_failed": "Layanan {units} tidak dapat dihentikan ({error}); jalankan sebagai "
    "root (sudo). Tidak ada yang diubah.",
    "restore_still_in_use": "Basis data {path} masih dipakai ({who}) setelah layanan "
    "dihentikan; periksa dengan fuser -v {path}*. Tidak ada yang diubah.",
    "restore_same": "{path} adalah basis data yang sedang dipakai; pilih berkas cadangan.",
    "restore_confirm": "Ganti seluruh isi basis data {path} dengan cadangan {backup} "
    "(skema {version}, {events} peristiwa)?",
    "restored": "Basis data dipulihkan dari {backup} (peristiwa pemulihan #{event}).",
    "restore_previous": "Isi sebelum pemulihan disimpan sebagai cadangan: {path}",
    "restore_units": "Layanan dijalankan lagi: {units}",
    "survey_instruments_ok": "Berkas instrumen survei valid: {path} (instrumen: {instruments})",
    # Usage errors: click's own checks (missing, unknown or badly formed options and
    # arguments), said in Indonesian by ult.cli.indonesian; --help stays click's English.
    "usage_hint": "Lihat '{command}' untuk bantuan.",
    "usage_missing_option": "Opsi {name} wajib diberikan.",
    "usage_missing_argument": "Argumen {name} belum diberikan.",
    "usage_bad_value": "Nilai {name} tidak valid: {value} ({expected}).",
    "usage_bad_value_plain": "Nilai {name} tidak valid: {value}.",
    "usage_bad_param": "Nilai {name} tidak valid: {message}",
    "usage_choices": "pilihan: {choices}",
    "usage_date": "tanggal {formats}",
    "usage_datetime": "waktu {formats}",
    "usage_or": " atau ",
    "usage_and": " dan ",
    "usage_integer": "bilangan bulat",
    "usage_number": "bilangan",
    "usage_range": "{kind} {low} sampai {high}",
    "usage_boolean": "ya atau tidak: true/false",
    "usage_path_missing": "{kind} tidak ada",
    "usage_path_is_file": "ini berkas, bukan folder",
    "usage_path_is_folder": "ini folder, bukan berkas",
    "usage_path_denied": "tidak dapat dibaca atau ditulis oleh pengguna {user}",
    "usage_file": "berkas",
    "usage_folder": "folder",
    "usage_file_or_folder": "berkas atau folder",
    "usage_no_such_option": "Opsi {option} tidak dikenal.",
    "usage_no_such_command": "Perintah '{name}' tidak dikenal.",
    "usage_did_you_mean": "Mungkin maksudnya: {names}?",
    "usage_option_needs_value": "Opsi {option} memerlukan nilai.",
    "usage_option_needs_values": "Opsi {option} memerlukan {count} nilai.",
    "usage_option_takes_no_value": "Opsi {option} tidak menerima nilai.",
    "usage_argument_count": "Argumen {name} memerlukan {count} nilai.",
    "usage_extra_arguments": "Argumen berlebih: {args}.",
    "usage_missing_command": "Perintah belum diberikan; pilih salah satu: {commands}.",
    "file_error_reason": "Berkas {path} tidak dapat dibaca atau ditulis: {reason}.",
    "file_reason_missing": "folder atau berkas itu tidak ada",
    "file_reason_denied": "izin ditolak untuk pengguna {user}",
    "file_reason_is_folder": "itu folder, bukan berkas",
    "file_reason_not_folder": "bagian jalurnya bukan folder",
    "file_reason_read_only": "sistem berkasnya hanya-baca",
    "file_reason_other": "kesalahan sistem {code}",
    "user_set_nothing": "Tidak ada yang diubah: berikan --full-name, --nip atau --position.",
}
"""Texts of the ``ult`` command line."""


DOCTOR: dict[str, str] = {
    "settings_ok": "Pengaturan valid: {source}",
    "survey_ok": "Instrumen survei valid: {source} (instrumen: {instruments})",
    "survey_fix": (
        "Perbaiki berkas instrumen survei ([survey] instruments_file) sesuai pesan di atas, "
        "atau hapus kunci itu untuk memakai SKM bawaan (ult survey instruments)."
    ),
    "settings_defaults": "tanpa berkas, nilai bawaan",
    "settings_fix": "Perbaiki berkas pengaturan sesuai pesan di atas, lalu jalankan lagi: "
    "ult doctor",
    "settings_assumed": "Pemeriksaan berikut memakai basis data di tempat bawaannya: {path} "
    "(pemeriksaan printer, GPIO dan layar perlu pengaturan yang valid).",
    "check_crashed": "Pemeriksaan ini gagal berjalan: {error}",
    "db_missing": "Basis data belum ada: {path}",
    "db_unusable": "Basis data {path} tidak dapat dipakai: {error}",
    "db_ok": "Basis data utuh (PRAGMA integrity_check): {path}",
    "db_damaged": "Basis data {path} rusak: {detail}",
    "db_restore_fix": "Pulihkan cadangan terbaru: ls {folder}; lalu "
    "sudo ult restore BERKAS --stop-services",
    "schema_ok": "Skema basis data versi {version} (sesuai program).",
    "schema_older": "Skema basis data versi {found}, program ini {supported}.",
    "schema_older_fix": "Diperbarui otomatis saat layanan mulai (cadangan dibuat dahulu), "
    "atau sekarang: ult init",
    "schema_newer": "Basis data dibuat oleh versi program yang lebih baru (skema {found}, "
    "program ini {supported}).",
    "schema_newer_fix": "Perbarui program, atau kembali ke cadangan yang dapat dibaca versi "
    "ini: sudo ult restore {backup} --stop-services",
    "schema_newer_no_backup": "Perbarui program ke versi yang membuat basis data ini.",
    "writable": "Basis data dapat ditulis (kunci tulis dan ruang disk dicoba, tanpa mengubah "
    "apa pun).",
    "not_writable": "Basis data {path} dapat dibaca tetapi tidak dapat ditulis: {cause} "
    "({detail}). Tiket baru akan gagal.",
    "write_database_locked": "kunci tulis dipegang proses lain",
    "write_database_locked_fix": "Cari proses yang memegangnya: sudo fuser -v {path}*; bila "
    "itu layanan ULT yang macet: sudo systemctl restart ult-kiosk ult-admin ult-display",
    "write_disk_full": "disk penuh",
    "write_disk_full_fix": "Kosongkan ruang: hapus cadangan lama (ls -l backups/), bersihkan "
    "log (sudo journalctl --vacuum-size=100M), periksa dengan df -h.",
    "write_read_only": "sistem berkas hanya-baca",
    "write_read_only_fix": "Kartu SD mungkin bermasalah (periksa: dmesg | tail); mulai ulang "
    "perangkat; bila berulang, ganti kartu SD dan pulihkan cadangan terbaru.",
    "write_no_permission": "izin ditolak",
    "write_no_permission_fix": "Folder dan berkas basis data harus milik pengguna ult: "
    "sudo chown -R ult:ult {folder}",
    "write_write_failed": "penulisan gagal",
    "write_write_failed_fix": "Periksa dmesg | tail dan journalctl -n 50; mulai ulang "
    "perangkat bila berulang.",
    "wal": "Berkas -wal {mb:.1f} MB.",
    "wal_fix": "Checkpoint terhambat pembaca yang tidak pernah selesai: mulai ulang layanan "
    "(sudo systemctl restart ult-admin ult-display); checkpoint berjalan saat pergantian hari.",
    "last_event": "Peristiwa terakhir: {at} (UTC).",
    "clock_behind": "Jam sistem ({now}) lebih awal dari peristiwa terakhir ({newest}).",
    "clock_fix": "Setel jam: sudo timedatectl set-time 'YYYY-MM-DD HH:MM:SS', atau hubungkan "
    "ke jaringan dengan NTP (sudo timedatectl set-ntp true). Penomoran tidak diulang.",
    "clock_ok": "Jam sistem {now} tidak lebih awal dari peristiwa terakhir.",
    "ntp_ok": "Jam disinkronkan NTP.",
    "ntp_no": "Jam belum disinkronkan NTP (Raspberry Pi tidak punya baterai jam).",
    "ntp_fix": "sudo timedatectl set-ntp true; pastikan jaringan menjangkau server NTP "
    "(timedatectl timesync-status).",
    "ntp_unknown": "Sinkronisasi NTP tidak dapat diperiksa (timedatectl tidak tersedia di sini).",
    "disk": "Ruang kosong di {folder}: {mb} MB.",
    "disk_fix": "Kosongkan ruang: hapus cadangan lama (ls -l backups/), bersihkan log "
    "(sudo journalctl --vacuum-size=100M), periksa dengan df -h.",
    "no_systemd": "systemd tidak berjalan di sini; keadaan layanan tidak diperiksa.",
    "unit": "{unit}: {state}",
    "unit_fix": "sudo systemctl start {unit}; penyebabnya: journalctl -u {unit} -n 50",
    "versions": "ult-kiosk {ours}, Python {python}, SQLite {sqlite}, {system}",
    "journal_unavailable": "(journal tidak tersedia: journalctl tidak berjalan di sini)",
    "bundle_written": "Paket dukungan ditulis: {path} (tanpa data pribadi).",
}
"""Findings and fixes of ``ult doctor`` (``ult.doctor``)."""


REPORT_SECTIONS: dict[str, str] = {
    "summary": "Ringkasan",
    "daily": "Per hari",
    "steps": "Catatan langkah",
    "compliance": "Kepatuhan standar per langkah",
    "officers": "Per petugas",
    "overruns": "Langkah yang melewati standar",
    "services": "Per layanan",
    "topics": "Per topik",
    "counters": "Per loket",
    "priority": "Pengunjung prioritas",
    "escalations": "Eskalasi",
    "cases": "Kasus melewati waktu standar SOP",
    "guestbook": "Buku tamu",
    # The satisfaction index (ult.ikm).
    "ikm": "Indeks Kepuasan Masyarakat (IKM) per unsur",
    "ikm_services": "IKM per layanan",
    "survey_profile": "Profil responden SKM",
    "survey_suggestions": "Saran responden SKM",
}
"""The report book's sections (``ult.reports.SECTIONS``)."""

REPORT_SHEETS: dict[str, str] = {
    "cases": "Kasus melewati standar SOP",
    "ikm": "IKM per unsur",
}
"""XLSX sheet names of the sections whose title does not fit Excel's 31 characters whole
(a cut title reads "Indeks Kepuasan Masyarakat (IKM"); the others use their title."""

REPORT_COLUMNS: dict[str, str] = {
    "visitors": "Pengunjung",
    "finished_resolved": "Selesai, terselesaikan",
    "finished_unresolved": "Selesai, tidak terselesaikan",
    "no_show": "Tidak hadir",
    "cancelled": "Dibatalkan",
    "expired": "Kedaluwarsa",
    "still_open": "Masih berjalan",
    "priority": "Prioritas",
    "priority_category": "Kategori prioritas",
    "priority_uncategorized": "Prioritas, kategori tidak tercatat",
    "priority_all": "Semua pengunjung prioritas",
    "priority_none": "Pengunjung biasa (pembanding)",
    "wait_median": "Tunggu (median)",
    "wait_p90": "Tunggu (p90)",
    "wait_max": "Tunggu (maks)",
    "wait_priority_median": "Tunggu prioritas (median)",
    "wait_normal_median": "Tunggu biasa (median)",
    "service_median": "Layanan (median)",
    "service_p90": "Layanan (p90)",
    "service_max": "Layanan (maks)",
    "total_median": "Total (median)",
    "total_p90": "Total (p90)",
    "total_max": "Total (maks)",
    "service": "Layanan",
    "topic": "Topik",
    "no_topic": "(tanpa topik)",
    "counter": "Loket",
    "no_counter": "(tidak sampai ke loket)",
    "label": "Nomor",
    "day": "Tanggal",
    "step": "Langkah",
    "waiting": "Menunggu antrian",
    "began_at": "Mulai",
    "ended_at": "Selesai",
    "seconds": "Durasi",
    "standard_seconds": "Standar",
    "overrun_seconds": "Melewati standar",
    "officer": "Petugas",
    "username": "Nama pengguna",
    "cases": "Kasus",
    "clock_anomaly": "Jam mundur",
    "count": "Jumlah",
    "within_share": "Dalam standar (%)",
    "median": "Median",
    "p90": "p90",
    "max": "Maks",
    "overruns": "Melewati standar (kali)",
    "overrun_total": "Total kelebihan",
    "clock_anomalies": "Jam mundur (kali)",
    "clock_anomaly_cases": "Kasus dengan jam mundur (tidak dihitung waktunya)",
    "level": "Tingkat",
    "level_back_office": "Ke Back Office",
    "level_main_unit": "Ke unit utama",
    "answered": "Dijawab",
    "turnaround_median": "Waktu penyelesaian (median)",
    "turnaround_p90": "Waktu penyelesaian (p90)",
    "turnaround_max": "Waktu penyelesaian (maks)",
    "open_from_earlier_days": "Terbuka sejak hari sebelumnya",
    "path": "Jalur SOP",
    "path_desk": "Dijawab di meja FO",
    "path_full": "Melalui Back Office / unit utama",
    "path_seconds": "Standar jalur",
    "total_seconds": "Total",
    "over_seconds": "Kelebihan",
    "finished_incomplete": "Selesai tanpa catatan lengkap",
    "nip": "NIP",
    # The satisfaction index (ult.ikm).
    "element_code": "Kode",
    "element": "Unsur",
    "element_answered": "Responden yang menjawab",
    "answer_sum": "Jumlah nilai",
    "nrr": "NRR",
    "converted": "Nilai konversi (NRR × 25)",
    "grade": "Mutu",
    "grade_name": "Kinerja",
    "weakest": "Terendah",
    "respondents": "Responden",
    "finished_visitors": "Pengunjung selesai dilayani",
    "sample_target": "Sampel minimal (Krejcie-Morgan)",
    "below_sample": "Di bawah sampel minimal",
    "ikm": "IKM",
    "ikm_row": "IKM (rata-rata NRR × 25)",
    "ikm_all_services": "Semua layanan",
    "profile_question": "Pertanyaan",
    "profile_category": "Kategori",
    "suggestion": "Saran",
    "note": "Keterangan",
}
"""Titles of the report columns (and a few cell words), by key."""


WAIT_TEXT: dict[str, str] = {
    "ahead_label": "Menunggu di depan Anda:",
    "ahead_value": "{count} orang",
    "nobody_ahead": "Tidak ada antrian di depan Anda",
    "wait_label": "Perkiraan waktu tunggu:",
    "soon": "segera dipanggil",
    "minutes": "± {minutes} menit",
    "hours": "± {hours} jam",
    "hours_minutes": "± {hours} jam {minutes} menit",
    "after_closing": "melewati jam tutup layanan (pukul {time}); silakan tanyakan petugas",
    "closed_today": "layanan hari ini sudah tutup; dilayani kembali {when}",
    "not_open_yet": "layanan belum dibuka; dilayani mulai {when}",
    "in_break": "layanan sedang istirahat; dilayani kembali {when}",
    "closed": "layanan sedang tutup; silakan tanyakan petugas",
}
"""The wait as the visitor reads it: on the ticket, on the visitor's page and at reception
(one wording, so the paper and the page agree; issue 14)."""


def wait_text(minutes: int, *, closing: str | None = None, closed: str | None = None) -> str:
    """An estimated wait (``ult.estimate.wait``'s minutes) in Indonesian: ``± 15 menit``,
    ``± 1 jam 20 menit``, ``segera dipanggil`` for 0; when the estimated call falls after
    today's closing, ``closing`` (local ``HH.MM``, :meth:`ult.queue.Queue.call_after_closing`)
    says so instead of a misleading number; while the counters do not serve at all (a ticket
    issued by override on a closed day, after closing, before opening or in the break),
    ``closed`` (:func:`ult.hours.closed_wait`: that, and when service resumes) replaces
    both. The ticket, the visitor's page and the reception page all say it with this
    function."""
    if closed is not None:
        return closed
    if closing is not None:
        return WAIT_TEXT["after_closing"].format(time=closing)
    if minutes <= 0:
        return WAIT_TEXT["soon"]
    hours, rest = divmod(minutes, 60)
    if not hours:
        return WAIT_TEXT["minutes"].format(minutes=rest)
    if not rest:
        return WAIT_TEXT["hours"].format(hours=hours)
    return WAIT_TEXT["hours_minutes"].format(hours=hours, minutes=rest)


HOURS_TEXT: dict[str, str] = {
    "closed_today": "Pengambilan nomor antrian hari ini sudah ditutup",
    "holiday": "Hari ini hari libur ({name}); pengambilan nomor antrian ditutup",
    "next": "· Dibuka kembali {when}",
    "reopens": "Pengambilan nomor antrian dibuka kembali {when}",
    "opens": "Pengambilan nomor antrian dibuka {when}",
    "at": "pukul {time}",
}
"""Service hours (``ult.hours``): what the kiosk, the board and refusals say while issuing is
closed, and the wait estimate past closing."""


def error_text(code: str, **values: object) -> str:
    """The Indonesian text of refusal ``code`` filled with ``values``.

    Raises ``KeyError`` for an unknown code: a missing text is a programming error.
    """
    return ERRORS[code].format(**values)


SETTINGS_TEXT: dict[str, str] = {
    # Whole-message templates.
    "invalid": "Pengaturan tidak valid ({source}): {key} = {value}; yang diizinkan: {allowed}",
    "missing": ("Pengaturan tidak valid ({source}): {key} wajib diisi; yang diizinkan: {allowed}"),
    "unknown": (
        "Pengaturan tidak valid ({source}): {key} = {value} tidak dikenal; "
        "yang diizinkan: {allowed}"
    ),
    "syntax": (
        "Berkas pengaturan bukan TOML yang valid ({source}): baris {line}, kolom {column}: {detail}"
    ),
    "syntax_at_end": ("Berkas pengaturan bukan TOML yang valid ({source}): akhir berkas: {detail}"),
    "syntax_no_line": "Berkas pengaturan bukan TOML yang valid ({source}): {detail}",
    "not_found": "Berkas pengaturan tidak ditemukan: {path} (ditunjuk oleh {origin})",
    "unreadable": "Berkas pengaturan tidak dapat dibaca ({source}): {detail}",
    # Pieces of the templates above.
    "origin_argument": "argumen path",
    "origin_env": "variabel lingkungan ULT_CONFIG",
    "no_file": "tanpa berkas, nilai bawaan",
    "not_utf8": "isi berkas bukan teks UTF-8",
    "top_level": "tingkat atas",
    # What is allowed, per kind of value.
    "known_keys": "kunci yang dikenal di {where}: {keys}",
    "top_level_hint": (
        " (kunci tingkat atas {key} harus ditulis di atas judul bagian [...] yang pertama)"
    ),
    "table": "tabel [{key}]",
    "table_list": "daftar tabel [[{key}]]",
    "table_item": "tabel [[{key}]]",
    "int_range": "bilangan bulat {low}–{high}",
    "number_range": "bilangan {low}–{high}",
    "bool": "true atau false",
    "text": "teks satu baris yang tidak kosong, paling panjang {max} karakter",
    "text_list": (
        "daftar teks satu baris yang tidak kosong, masing-masing paling panjang {max} karakter"
    ),
    "unique": "nilai yang belum dipakai di {other}",
    "timezone": (
        'nama zona waktu IANA, misalnya "Asia/Jakarta", "Asia/Makassar" atau "Asia/Jayapura"'
    ),
    "day_reset": 'jam "HH:MM" dari "00:00" sampai "23:59"',
    "label_format": (
        "format Python yang hanya memakai {{letter}} dan {{number}}, wajib memuat {{number}}, "
        "menghasilkan 1–16 karakter dan label berbeda untuk setiap nomor, "
        'misalnya "{{letter}}-{{number:03d}}"'
    ),
    "label_broken": " (gagal dipakai: {detail})",
    "label_field": " (kolom {{{field}}} tidak dikenal)",
    "label_no_number": " ({{number}} tidak ada)",
    "label_length": ' (hasil "{label}" panjangnya {length} karakter)',
    "label_control": ' (hasil "{label}" memuat karakter kontrol)',
    "label_collision": ' (tiket {first} dan {second} sama-sama menjadi "{label}")',
    "label_ticket": "{letter} nomor {number}",
    "letter": "satu huruf besar A–Z",
    "services_needed": "minimal satu layanan [[services]]",
    "active_needed": "minimal satu layanan dengan active = true",
    "counter_kind": '"front_office" atau "back_office"',
    "counter_letter": "huruf layanan yang ada di [[services]]: {letters}",
    "counter_services": 'minimal satu huruf layanan untuk loket dengan kind = "front_office"',
    "front_office_needed": 'minimal satu loket [[counters]] dengan kind = "front_office"',
    "service_unserved": (
        "setiap layanan aktif dilayani minimal satu loket Front Office; layanan {letter} "
        "tidak dilayani loket mana pun (tambahkan ke services sebuah loket, atau "
        "nonaktifkan layanannya)"
    ),
    "database": "path berkas (teks yang tidak kosong)",
    "choice": "salah satu dari: {choices}",
    "usb_id": "bilangan bulat 0–65535 (misalnya 0x04b8; lihat lsusb)",
    "host": "nama host atau alamat IP printer jaringan",
    "active_letter": "huruf layanan yang aktif",
    "base_url": 'alamat http(s) tanpa garis miring di akhir, misalnya "http://ult.local:8080"',
    # [hours]
    "hours_span": 'jam buka "HH:MM-HH:MM" (jam mulai sebelum jam selesai), atau false jika tutup',
    "hours_open_day": "minimal satu hari buka dari monday sampai sunday",
    "hours_reset": (
        "jam buka yang tidak melewati day_reset ({reset}) di [queue]: nomor antrian dimulai "
        "ulang pada jam itu"
    ),
    "hours_breaks": (
        'tabel hari → jam istirahat, misalnya breaks = {{ friday = "11:30-13:30" }}; '
        "hari: monday, tuesday, wednesday, thursday, friday, saturday, sunday"
    ),
    "hours_break_span": (
        'jam istirahat "HH:MM-HH:MM" (jam mulai sebelum jam selesai), di dalam jam buka hari itu'
    ),
    "hours_break_inside": "jam istirahat di dalam jam buka {day} ({hours})",
    "hours_break_closed_day": (
        "tidak ada jam istirahat pada hari tutup: {day} tutup, hapus istirahatnya dari breaks"
    ),
    "hours_holiday": (
        "tanggal YYYY-MM-DD yang ada di kalender, misalnya 2026-12-25 atau "
        '{{ date = 2026-12-25, name = "Hari Raya Natal" }}'
    ),
    "hours_last_issue": (
        'menit sebelum jam tutup (bilangan bulat 0–{high}), atau jam "HH:MM" yang tidak '
        "melewati jam tutup"
    ),
    "hours_last_issue_late": (
        'jam "HH:MM" yang tidak melewati jam tutup: jam tutup paling akhir adalah {day} '
        "pukul {closing}, jadi last_issue paling lambat {closing} (atau menit sebelum jam "
        "tutup, misalnya 30)"
    ),
    "hours_quota": (
        "tabel huruf layanan (A–Z, juga layanan yang ditambahkan di katalog) atau default "
        "(setiap layanan tanpa kuota sendiri) → tiket paling banyak per hari (bilangan bulat "
        "0–{high}; 0 = tanpa kuota)"
    ),
}
"""Settings errors (``ult.settings``): ``str.format`` templates; a literal brace is doubled."""

PASSWORD_WARNINGS: dict[str, str] = {
    "": "kata sandi ini mudah ditebak.",
    "Straight rows of keys are easy to guess.": "deretan tombol papan ketik mudah ditebak.",
    "Short keyboard patterns are easy to guess.": "pola papan ketik yang pendek mudah ditebak.",
    'Repeats like "aaa" are easy to guess.': 'pengulangan seperti "aaa" mudah ditebak.',
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': (
        'pengulangan seperti "abcabcabc" hampir semudah "abc" ditebak.'
    ),
    'Sequences like "abc" or "6543" are easy to guess.': (
        'urutan seperti "abc" atau "6543" mudah ditebak.'
    ),
    "Recent years are easy to guess.": "tahun-tahun terakhir mudah ditebak.",
    "Dates are often easy to guess.": "tanggal sering mudah ditebak.",
    "This is a top-10 common password.": "ini salah satu dari 10 kata sandi paling umum.",
    "This is a top-100 common password.": "ini salah satu dari 100 kata sandi paling umum.",
    "This is a very common password.": "ini kata sandi yang sangat umum.",
    "This is similar to a commonly used password.": "ini mirip kata sandi yang umum dipakai.",
    "A word by itself is easy to guess.": "satu kata saja mudah ditebak.",
    "Names and surnames by themselves are easy to guess.": "nama orang saja mudah ditebak.",
    "Common names and surnames are easy to guess.": "nama orang yang umum mudah ditebak.",
}
"""zxcvbn's warnings (``feedback.warning``, English) in Indonesian; ``""`` for none or one
this table does not know (a newer zxcvbn), so the refusal always says why in general terms."""

NIK_TEXT: dict[str, str] = {
    "empty": "NIK wajib diisi.",
    "length": "NIK harus 16 angka (terbaca {count} angka).",
    "digits": "NIK hanya boleh berisi angka 0–9. Ketik ulang sesuai KTP.",
    "province": "NIK tidak valid: kode provinsi (angka ke-1 dan ke-2) tidak boleh 00.",
    "regency": "NIK tidak valid: kode kabupaten/kota (angka ke-3 dan ke-4) tidak boleh 00.",
    "district": "NIK tidak valid: kode kecamatan (angka ke-5 dan ke-6) tidak boleh 00.",
    "day": "NIK tidak valid: tanggal lahir {day} tidak ada (laki-laki 01–31, perempuan 41–71).",
    "month": "NIK tidak valid: bulan lahir {month} tidak ada.",
    "date": "NIK tidak valid: tanggal lahir {date} tidak ada di kalender.",
    "serial": "NIK tidak valid: nomor urut (4 angka terakhir) tidak boleh 0000.",
    "warning_province": (
        "Kode provinsi {code} tidak dikenal. Periksa kembali NIK dengan KTP; "
        "jika sudah sama, lanjutkan."
    ),
}
"""NIK refusals and warnings (``kiosk.nik``), keyed by ``NikError.reason``."""

IKM_TEXT: dict[str, str] = {
    "grade_A": "Sangat baik",
    "grade_B": "Baik",
    "grade_C": "Kurang baik",
    "grade_D": "Tidak baik",
    "no_response": "Belum ada jawaban survei pada periode ini.",
    "element_unanswered": (
        "IKM tidak dihitung: unsur {codes} belum dijawab satu responden pun, padahal IKM "
        "adalah rata-rata kesembilan NRR."
    ),
    # Folded so that a response cannot be tied to one visitor (docs/IKM.md).
    "folded": "Kurang dari {min_group} responden: tidak ditampilkan.",
    "folded_office": (
        "Kurang dari {min_group} responden: IKM, NRR dan jumlah nilai per unsur tidak ditampilkan."
    ),
    "folded_secondary": (
        "Tidak ditampilkan: digabung dengan layanan yang kurang dari {min_group} responden, "
        "agar angkanya tidak dapat dihitung dari angka kantor."
    ),
    "all_equal": "semua unsur sama",
    "profile_not_given": "Tidak diisi",
    "profile_folded": "< {min_group}",
    "profile_folded_secondary": "digabung",
    "suggestions_folded": "Kurang dari {min_group} responden: saran tidak ditampilkan.",
    "suggestion_service_folded": "Layanan lain (digabung)",
    "below_sample": "Responden ({respondents}) masih di bawah sampel minimal ({target}).",
    "weakest": "unsur terendah",
    "headline": "IKM {ikm} · mutu {grade} ({grade_name})",
    "headline_none": "IKM belum dapat dihitung: {reason}",
    "respondents": "Responden {respondents} dari sampel minimal {target} (pengunjung {visitors})",
}
"""The satisfaction index (``ult.ikm``): grades (PermenPANRB 14/2017), why an index is not
given, the ``ult ikm`` headline."""

REPORT_TEXT: dict[str, str] = {
    "section_unknown": "Bagian laporan '{section}' tidak dikenal. Pilihan: {choices}.",
    "date_invalid": "{field} harus tanggal yang ada, ditulis TTTT-BB-HH (mis. 2026-11-25).",
    "range_missing": (
        "Isi tanggal awal dan tanggal akhir (from dan to), atau pilih periode beserta tanggalnya."
    ),
    "range_mixed": "Pilih salah satu: rentang tanggal (from dan to) atau periode; tidak keduanya.",
    "range_reversed": (
        "Tanggal awal ({start}) harus sama dengan atau sebelum tanggal akhir ({end})."
    ),
    "range_too_long": "Rentang laporan paling panjang {days} hari; persempit tanggalnya.",
    "period_invalid": "Periode harus salah satu dari: {choices}.",
    "service_unknown": "Layanan '{service}' tidak dikenal. Pilihan: {choices}.",
    "format_invalid": "Format harus salah satu dari: {choices}.",
    "csv_one_section": (
        "Format csv memuat satu tabel; untuk semua bagian sekaligus pakai xlsx atau json."
    ),
    "xlsx_terminal": (
        "Format xlsx adalah berkas biner dan tidak ditampilkan di terminal: tulis ke berkas "
        "dengan --output LAPORAN.xlsx, atau alihkan keluarannya (> LAPORAN.xlsx)."
    ),
    "written": "Laporan ditulis ke {path} ({rows} baris, {start} s.d. {end}).",
    "no_rows": "(tidak ada data)",
    "hours": "{hours} jam {minutes:02d} mnt",
    "minutes": "{minutes} mnt {seconds:02d} dtk",
    "whole_minutes": "{minutes} mnt",
    "seconds": "{seconds} dtk",
    "unit_seconds": "detik",
    "yes": "ya",
    "no": "tidak",
    "xlsx_too_big": (
        "Laporan ini {rows} baris: terlalu besar untuk XLSX (paling banyak {limit} baris, "
        "agar selesai dalam beberapa detik). Unduh sebagai CSV (dibuka juga oleh Excel), "
        "atau persempit periodenya."
    ),
}
"""Reports' requests (``ult.report_request``: CLI, API and pages alike), the ``ult report``
command and how the exports write durations."""


SURVEY_FILE_TEXT: dict[str, str] = {
    "message": "Berkas instrumen survei tidak valid ({source}): {fault}",
    "message_key": "Berkas instrumen survei tidak valid ({source}): {key}: {fault}",
    "unreadable": "berkas tidak dapat dibaca ({detail})",
    "not_utf8": "isi berkas bukan teks UTF-8",
    "syntax": "bukan TOML yang valid: {detail}",
    "unknown_key": "kunci tidak dikenal; yang dikenal: {keys}",
    "table_list": "harus berupa daftar tabel [[{table}]] yang tidak kosong",
    "missing": "wajib diisi",
    "text": "harus teks satu baris yang tidak kosong, paling panjang {limit} karakter",
    "texts": (
        "harus daftar teks satu baris yang tidak kosong, masing-masing paling panjang "
        "{limit} karakter"
    ),
    "labels_count": "harus tepat 4 label jawaban (untuk nilai 1, 2, 3, 4), tertulis {count}",
    "instrument_code": 'harus huruf kecil a-z, angka atau _, 1-16 karakter (misalnya "skm")',
    "element_code": 'harus huruf besar A-Z lalu huruf besar atau angka, 1-8 karakter ("U1")',
    "duplicate": "kode {value} sudah dipakai",
    "too_many": "paling banyak {limit} unsur",
    "skm_missing": 'instrumen dengan code = "skm" wajib ada (IKM dihitung darinya)',
    "profile_code": "{value} tidak dikenal; yang diizinkan: {allowed}",
    "choices": "harus 1-{limit} pilihan yang berbeda",
}
"""Faults of a survey instruments file (``ult.survey.parse_instruments``)."""
PRIVACY_TEXT: dict[str, str] = {
    "purge_nothing": "Tidak ada kunjungan yang lewat masa simpan ({days} hari, s.d. {up_to}).",
    "purge_would": (
        "Akan menghapus identitas {count} kunjungan berhari layanan {oldest} s.d. {up_to} "
        "(masa simpan {days} hari). Uji coba: tidak ada yang diubah."
    ),
    "purged": (
        "Identitas {count} kunjungan berhari layanan {oldest} s.d. {up_to} telah dihapus "
        "(masa simpan {days} hari); angka statistik dan waktu langkah tetap."
    ),
    "exported": "Data {visits} kunjungan ditulis ke {path}. Serahkan hanya kepada pemiliknya.",
    "erase_confirm": "Hapus identitas {count} kunjungan dengan nomor ini? Tidak dapat dibatalkan.",
    "erased": "Identitas {count} kunjungan telah dihapus; angka statistik tetap.",
    "unchanged": "Tidak ada yang diubah.",
}
"""``ult purge`` and ``ult privacy`` (UU 27/2022)."""
CHAIN_TEXT: dict[str, str] = {
    "verify_ok": "Rantai catatan utuh: {events} peristiwa, terakhir #{last_id}, hash {hash}",
    "verify_empty": "Catatan peristiwa masih kosong: tidak ada yang perlu diperiksa.",
    "verify_broken": "Rantai catatan TIDAK utuh ({events} peristiwa diperiksa, terakhir "
    "#{last_id}). Kerusakan pertama:",
    "verify_advice": "Jangan ubah berkas ini lagi. Simpan salinannya ke flashdisk (ult backup "
    "FOLDER_FLASHDISK: cadangan lama di perangkat tetap utuh), bandingkan dengan cadangan lama "
    "dan buku laporan bertanda tangan, dan laporkan ke supervisor.",
    "verify_not_chained": "Basis data {path} masih skema {found}: rantai hash baru ada mulai "
    "skema {needed}. Jalankan ult init (atau mulai layanan) agar basis data diperbarui, lalu "
    "ulangi.",
    "kind_altered": "DIUBAH",
    "kind_removed": "DIHAPUS",
    "kind_reordered": "DIPINDAH URUTANNYA",
    "fault_content": "Peristiwa #{event} {kind}: isinya tidak cocok lagi dengan hash-nya.",
    "fault_no_hash": "Peristiwa #{event} {kind}: hash-nya kosong atau bukan teks hash.",
    "fault_rewritten": "Peristiwa #{event} {kind}, lalu hash-nya dihitung ulang untuk "
    "menutupinya: peristiwa #{witness} sesudahnya masih membawa hash lamanya.",
    "fault_gap": "Peristiwa {ids} {kind}: nomor peristiwa melompat dari #{before} ke #{after}.",
    "fault_head_cut": "Peristiwa {ids} {kind}: catatan seharusnya dimulai dari #1.",
    "fault_tail_cut": "Peristiwa {ids} {kind} dari ujung catatan: nomor terakhir yang pernah "
    "diberikan #{until}, yang tersisa sampai #{before}.",
    "fault_moved": "Peristiwa #{event} {kind} atau diganti: isinya tidak cocok dengan hash-nya "
    "dan hash sebelumnya tidak cocok dengan peristiwa di depannya.",
    "ids_one": "#{first}",
    "ids_run": "#{first} sampai #{last}",
    "anchor_ok": "Jangkar ditemukan pada peristiwa #{event}: catatan sampai peristiwa itu sama "
    "dengan saat jangkar dicetak.",
    "anchor_before_fault": "Jangkar ditemukan pada peristiwa #{event} dan catatan sampai "
    "peristiwa itu utuh; kerusakan di atas terjadi sesudahnya.",
    "anchor_after_fault": "Jangkar ada pada peristiwa #{event}, tetapi catatan sebelum "
    "peristiwa itu sudah rusak (lihat di atas).",
    "anchor_missing": "Jangkar {anchor} TIDAK ADA dalam rantai catatan: peristiwa yang hash-nya "
    "dicetak itu telah diubah atau dihapus, atau jangkar salah ketik atau berasal dari "
    "perangkat lain. Periksa kembali angka pada buku laporan.",
    "anchor_invalid": "Jangkar harus 64 karakter heksadesimal (0-9, a-f) seperti tercetak pada "
    "buku laporan; diterima: {anchor}",
    "book_anchor": "Hash peristiwa terakhir hari {day} (#{event}{so_far}): {hash}",
    "book_anchor_so_far": ", sampai saat ini",
    "book_anchor_none": "Belum ada peristiwa tercatat sampai akhir hari {day}: tidak ada jangkar.",
    "book_anchor_check": "Periksa catatan elektronik terhadap hash ini dengan: "
    "ult verify --anchor {hash}",
}
"""The event log's hash chain (:mod:`ult.chain`): ``ult verify`` and the report book's
anchor line (the report book's text form in ``ult report``)."""


def priority_choices(*, codes: bool = True) -> str:
    """The priority categories for a refusal: ``elderly (lansia), ...`` with the codes (the
    API, ``ult issue --priority-category``), else their Indonesian names only."""
    return ", ".join(
        f"{code} ({name})" if codes else name for code, name in PRIORITY_CATEGORIES.items()
    )


PRIORITY_CATEGORIES: dict[str, str] = {
    "elderly": "lansia",
    "disabled": "penyandang disabilitas",
    "pregnant": "ibu hamil",
    "small_children": "membawa anak kecil",
}
"""The priority categories (UU 25/2009 Pasal 29; codes of ``ult.sop.PRIORITY_CATEGORIES``)
as staff read them. Tickets and boards never show them: only "PRIORITAS"."""
