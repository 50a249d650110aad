"""What the kiosk says, in Indonesian: the button daemon's console lines and the printer
commands' output. One place for the package's user-facing text."""

from __future__ import annotations

CLI: dict[str, str] = {
    "preview_written": "Pratinjau tiket {label} ditulis: {path}",
    "print_test_done": "Halaman uji dicetak.",
    "print_test_sent": "Halaman uji dikirim ke printer; printer tidak mengonfirmasi.",
    "print_test_failed": "Halaman uji gagal dicetak: {error}",
    "printer_setup": "Pengaturan printer tidak dapat dipakai: {error}",
    "printer_hint": "Penyebab: {text}\nPerbaikan: {fix}",
    "printer_hint_doctor": "Periksa printer dan sambungannya dengan: ult doctor",
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
    "closed": "Tombol {number}: tiket tidak diterbitkan. {message}",
    "failed": "Tiket tidak diterbitkan karena kesalahan; lihat log (journalctl -u ult-kiosk).",
    "stopped": "Tombol tiket berhenti. Tiket diterbitkan: {issued}.",
}
"""What the ticket-button daemon (``ult kiosk``) prints on its console."""

DOCTOR: dict[str, str] = {
    "printer_none": 'Tidak ada printer ([printer] connection = "none").',
    "preview": "Printer pratinjau: tiket ditulis sebagai PNG ke {path}.",
    "usb_no_id": "Printer USB tanpa vendor_id dan product_id.",
    "usb_id_fix": "Jalankan lsusb; baris printer berbunyi 'ID vvvv:pppp'. Tulis di [printer]: "
    "vendor_id = 0xvvvv dan product_id = 0xpppp, lalu pasang aturan udev: "
    "sudo ult udev-rule | sudo tee /etc/udev/rules.d/99-ult-printer.rules; "
    "sudo udevadm control --reload; sudo udevadm trigger",
    "no_libusb": "libusb tidak terpasang: printer USB tidak dapat dipakai.",
    "no_libusb_fix": "sudo apt install libusb-1.0-0, lalu sudo systemctl restart ult-kiosk",
    "usb_not_found": "Printer USB {id} tidak terhubung. Perangkat USB yang terlihat: {seen}.",
    "usb_none_seen": "tidak ada",
    "usb_no_permission": "Printer USB {id} terhubung ({node}) tetapi pengguna ini tidak "
    "berhak memakainya.",
    "usb_permission_fix": "sudo usermod -aG lp ult; pasang aturan udev: sudo ult udev-rule | sudo "
    "tee /etc/udev/rules.d/99-ult-printer.rules; sudo udevadm control --reload; sudo udevadm "
    "trigger; lalu cabut-pasang kabel printer.",
    "usb_ok": "Printer USB {id} terhubung ({node}) dan dapat dipakai.",
    "file_target": "Printer berkas: byte tiket ditulis ke {path}.",
    "device_missing": "Perangkat printer {path} tidak ada.",
    "device_missing_fix": "Periksa kabel dan daya printer; ls /dev/usb /dev/ttyUSB* menunjukkan "
    "perangkat yang ada, lalu sesuaikan [printer] device atau path.",
    "device_no_permission": "Pengguna ini tidak berhak memakai {path}.",
    "device_permission_fix": "sudo usermod -aG lp,dialout ult, lalu sudo systemctl restart "
    "ult-kiosk.",
    "device_ok": "Perangkat printer {path} ada dan dapat dipakai.",
    "network_unreachable": "Printer jaringan {where} tidak terjangkau: {error}",
    "network_fix": "Periksa daya, kabel jaringan dan alamat IP printer (ping {host}); "
    "cetak halaman konfigurasi printer untuk melihat IP-nya.",
    "network_ok": "Printer jaringan {where} menerima sambungan.",
    "owner_running": "ult kiosk berjalan dan memegang printer.",
    "owner_stopped": "ult kiosk tidak berjalan: permintaan cetak menunggu.",
    "owner_stopped_fix": "sudo systemctl start ult-kiosk; penyebabnya: journalctl -u ult-kiosk "
    "-n 50",
    "printer_state": "Keadaan printer terakhir yang dicatat: {state}.",
    "printer_answer": "Jawaban printer sekarang: {state} ({detail}).",
    "gpio_none": "Tidak ada tombol, LED atau buzzer yang diatur.",
    "gpio_no_factory": "GPIO tidak dapat dipakai ({error}); pin yang diatur: {pins}.",
    "gpio_fix": "Di Raspberry Pi: pengguna ult anggota grup gpio dan lgpio terpasang "
    "(sudo apt install python3-lgpio). Di mesin lain: ult kiosk --simulate.",
    "gpio_ok": "GPIO siap ({factory}); pin: {pins}.",
}
"""Findings and fixes of the kiosk's ``ult doctor`` checks (``kiosk.doctor``)."""
