"""What the kiosk says, in Indonesian: the button daemon's console lines and the printer
commands' output. One place for the package's user-facing text."""

from __future__ import annotations

CLI: dict[str, str] = {
    "preview_written": "Pratinjau tiket {label} ditulis: {path}",
    "print_test_done": "Halaman uji dicetak.",
    "print_test_sent": "Halaman uji dikirim ke printer; printer tidak mengonfirmasi.",
    "print_test_failed": "Halaman uji gagal dicetak: {error}",
    "printer_setup": "Pengaturan printer tidak dapat dipakai: {error}",
    "printer_state": "Keadaan printer: {state} ({detail})",
    "reprint_failed": "Tiket {label} gagal dicetak; tiket tetap dalam antrian. Periksa printer "
    "lalu coba lagi.",
    "reprinted": "Tiket {label} dicetak ulang.",
    "reprint_sent": "Tiket {label} dikirim ke printer, tetapi printer tidak mengonfirmasi; tiket "
    "tetap di daftar cetak ulang.",
    "udev_not_usb": 'Aturan udev hanya untuk printer USB: atur [printer] connection = "usb" '
    "dengan vendor_id dan product_id.",
}
"""Output of ``ult reprint``, ``ult print-test``, ``ult ticket`` and ``ult udev-rule``."""

BUTTON_TEXT: dict[str, str] = {
    "no_gpio": (
        "Tidak ada GPIO yang dapat dipakai di mesin ini ({error}).\n"
        "Untuk mencoba tanpa Raspberry Pi, jalankan: ult kiosk --simulate"
    ),
    "printer_setup": "Pengaturan printer salah: {error}",
    "button_service": (
        "{setting} = {letter}: layanan ini tidak aktif di basis data. Setelah mengubah pengaturan "
        "layanan, jalankan: ult init"
    ),
    "owner_running": (
        "Printer sudah dipegang oleh ult kiosk lain ({path} terkunci). Hentikan yang lain dulu: "
        "sudo systemctl stop ult-kiosk"
    ),
    "database_missing": "Basis data {path} belum ada. Jalankan dulu: ult init",
    "database_error": "Basis data {path} tidak dapat dibuka: {error}",
    "simulate_intro": (
        "Simulasi tombol tiket (pin tiruan gpiozero). Tekan angka tombol "
        "(di terminal tanpa Enter), q untuk keluar:"
    ),
    "simulate_key": "  {key} = tombol {number} (GPIO{pin}): layanan {letter} - {name}",
    "simulate_unknown_key": "Tombol {key!r} tidak dikenal: tekan 1..{count}, atau q untuk keluar.",
    "simulate_no_stdin": "Masukan keyboard tidak tersedia; hentikan dengan Ctrl+C.",
    "press_bounce": "Tombol {number}: tekanan diabaikan (pantulan kontak).",
    "press_busy": "Tombol {number}: tiket sebelumnya masih dicetak, tekanan diabaikan.",
    "press_too_soon": "Tombol {number}: terlalu cepat, tunggu {seconds:g} detik antara dua tiket.",
    "press_capped": "Tombol {number}: batas {limit} tiket per menit tercapai, tunggu sebentar.",
    "ticket_printed": "Tiket {label} tercetak.",
    "ticket_preview": "Tiket {label} tercetak (pratinjau: {path}).",
    "ticket_sent": (
        "Tiket {label} dikirim ke printer tetapi printer tidak mengonfirmasi; tiket tetap di "
        "daftar cetak ulang."
    ),
    "ticket_not_printed": (
        "Tiket {label} diterbitkan tetapi tidak tercetak. Cetak ulang dengan: ult reprint {label}"
    ),
    "cannot_print": "Mesin tiket tidak dapat mencetak ({state}), silakan menuju resepsionis.",
    "printer_ready": "Printer: {state}.",
    "refused": "Tiket tidak diterbitkan: {message}",
    "failed": "Tiket tidak diterbitkan karena kesalahan; lihat log (journalctl -u ult-kiosk).",
    "stopped": "Tombol tiket berhenti. Tiket diterbitkan: {issued}.",
}
"""What the ticket-button daemon (``ult kiosk``) prints on its console."""
