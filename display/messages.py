"""Every Indonesian word and phrase the voice announcer says, and how espeak-ng should say it.

A "word" is the unit of a voice pack: one WAV file per word, named by
:func:`display.voice.word_file`. Fixed phrases ("nomor antrian", "silakan menuju") are one word
each, because a person recording a pack says a phrase more naturally in one breath than as
separate clips.
"""

from __future__ import annotations

from typing import Final

# The fixed phrases of an announcement: "Nomor antrian, A, seratus dua puluh tiga, silakan menuju
# Loket dua".
PHRASE_NUMBER: Final = "nomor antrian"
PHRASE_GO_TO: Final = "silakan menuju"
PHRASE_COME_BACK: Final = "silakan kembali ke"
"""A returned case's visitor called back to a counter (issue 14): "Nomor antrian, A, tiga,
silakan kembali ke, loket, dua"."""
PHRASES: Final[tuple[str, ...]] = (PHRASE_NUMBER, PHRASE_GO_TO, PHRASE_COME_BACK)

# Digit words 0-9, indexed by value.
DIGITS: Final[tuple[str, ...]] = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
)

# Every word any number 0-9999 needs: the digits, the "se-" forms (10, 11, 100, 1000) and the
# multipliers (dua *belas*, dua *puluh*, dua *ratus*, dua *ribu*).
NUMBER_WORDS: Final[tuple[str, ...]] = (
    *DIGITS,
    "sepuluh",
    "sebelas",
    "seratus",
    "seribu",
    "belas",
    "puluh",
    "ratus",
    "ribu",
)

# Indonesian letter names, spelt out for espeak-ng so that a letter never depends on how the voice
# reads a lone capital (and so a person recording a pack knows what to say). Plain ASCII: espeak-ng
# reads "é" as "e akut". The pack's word is the capital letter itself.
LETTER_NAMES: Final[dict[str, str]] = {
    "A": "a",
    "B": "be",
    "C": "ce",
    "D": "de",
    "E": "e",
    "F": "ef",
    "G": "ge",
    "H": "ha",
    "I": "i",
    "J": "je",
    "K": "ka",
    "L": "el",
    "M": "em",
    "N": "en",
    "O": "o",
    "P": "pe",
    "Q": "ki",
    "R": "er",
    "S": "es",
    "T": "te",
    "U": "u",
    "V": "fe",
    "W": "we",
    "X": "eks",
    "Y": "ye",
    "Z": "zet",
}

# Words of counter names the default pack always holds (the default counters are "Loket 1",
# "Loket 2" and "Back Office"); words of other configured names are added at build time.
COUNTER_WORDS: Final[tuple[str, ...]] = (
    "loket",
    "meja",
    "ruang",
    "back",
    "office",
    "front",
    "layanan",
    "informasi",
    "pengaduan",
    "kasir",
)

# How espeak-ng's Indonesian voice should read a word when the plain word sounds wrong. English
# words in counter names are respelt the Indonesian way so the Indonesian voice says them right.
SPOKEN: Final[dict[str, str]] = {
    **LETTER_NAMES,
    "back": "bek",
    "office": "ofis",
    "front": "fron",
}


def spoken_text(word: str) -> str:
    """Return the text espeak-ng is given for ``word`` (the word itself unless respelt above)."""
    return SPOKEN.get(word, word)


CLI: dict[str, str] = {
    "display_failed": (
        "Papan panggilan tidak dapat dijalankan: {error}. Periksa: tidak ada desktop atau "
        "getty yang memakai layar, pengguna layanan anggota grup video, render dan input, dan "
        "pada Pi 5 kartu layar yang benar (SDL_KMSDRM_DEVICE_INDEX)."
    ),
    "display_by_hand": (
        "Dijalankan sendiri (misalnya lewat SSH) tanpa layar? Papan di TV dijalankan oleh "
        "layanannya: sudo systemctl start ult-display. Untuk melihat papan di sini: "
        "ult display --windowed 1280x720 (di desktop) atau ult display --screenshot papan.png."
    ),
    "display_follow_needs_file": "--follow hanya dipakai bersama --screenshot BERKAS.",
    "display_following": "Papan berjalan tanpa layar; gambar terkini: {path} (Ctrl+C berhenti)",
    "display_hub_invalid": "Alamat hub '{hub}' tidak valid: tulis http(s)://host[:port].",
    "display_hub_needs_follow": (
        "--hub bersama --screenshot memerlukan --follow "
        "(tangkapan sekali memakai basis data lokal)."
    ),
    "display_options_clash": "--windowed tidak dapat dipakai bersama --screenshot atau --size.",
    "display_size_needs_file": "--size hanya dipakai bersama --screenshot BERKAS.",
    "screenshot_failed": "Tangkapan papan tidak dapat ditulis ke {path}: {error}",
    "screenshot_written": "Tangkapan papan ditulis: {path}",
    "size_invalid": "Ukuran layar '{size}' tidak valid: tulis LEBARxTINGGI, 320–7680 piksel.",
    "voice_built": "Paket suara dibuat: {count} berkas di {path}",
    "voice_failed": "Paket suara gagal dibuat: {error}",
    "voice_refused": "Pengumuman tidak dapat dibuat: {error}",
    "voice_written": "Pengumuman ditulis: {path}",
}
"""Output of ``ult display`` and ``ult voice``."""

DOCTOR: dict[str, str] = {
    "no_drm": "Tidak ada perangkat layar DRM (/dev/dri/card*): papan tidak dapat tampil "
    "layar penuh.",
    "no_drm_fix": "Di Raspberry Pi: pastikan dtoverlay=vc4-kms-v3d di /boot/firmware/config.txt "
    "dan TV tersambung sebelum menyala, lalu reboot. Untuk mencoba tanpa layar: "
    "ult display --windowed atau --screenshot BERKAS.",
    "drm_no_permission": "Perangkat layar ada ({cards}) tetapi pengguna ini tidak berhak "
    "memakainya.",
    "drm_permission_fix": "sudo usermod -aG video,render,input ult, lalu sudo systemctl "
    "restart ult-display.",
    "drm_ok": "Perangkat layar DRM: {cards}.",
    "sound_off": "Suara dimatikan ([display] sound = false).",
    "no_sound": "Tidak ada perangkat suara ALSA (/dev/snd): papan berjalan tanpa suara.",
    "no_sound_fix": "Nyalakan TV sebelum Raspberry Pi agar suara HDMI terdeteksi; periksa "
    "dtparam=audio=on di /boot/firmware/config.txt; aplay -l menampilkan perangkat.",
    "sound_ok": "Perangkat suara ALSA: {count} keluaran.",
    "audio_device_unknown": "[display] audio_device = {device} tidak ada di daftar ALSA.",
    "audio_device_fix": "Pilih nama dari aplay -L, atau hapus audio_device untuk memakai "
    "keluaran bawaan.",
}
"""Findings and fixes of the board's ``ult doctor`` checks (``display.doctor``)."""


VOICE_ERRORS: dict[str, str] = {
    "missing_word": (
        'tidak ada rekaman suara untuk "{word}" di {pack}: jalankan `ult voice build`'
    ),
    "not_installed": "{program} belum terpasang (sudo apt-get install espeak-ng sox)",
    "command_failed": "{command} gagal: {detail}",
    "silent": 'espeak-ng tidak menghasilkan suara untuk "{word}"',
    "wav_format": (
        "{path}: {channels} kanal, {bits} bit, {rate} Hz; paket suara memerlukan {need_channels} "
        "kanal, {need_bits} bit, {need_rate} Hz (ubah dengan: sox in.wav -r {need_rate} -c 1 "
        "-b 16 out.wav)"
    ),
    "wav_unreadable": "{path}: bukan berkas WAV PCM yang dapat dibaca ({detail})",
    "not_ascii": 'huruf "{chars}" dalam "{text}" tidak dapat diucapkan: pakai huruf A–Z',
    "empty_label": 'tidak ada yang dapat diucapkan dari nomor antrian "{label}"',
    "empty_counter": 'tidak ada yang dapat diucapkan dari nama loket "{name}"',
    "not_word": 'bukan kata paket suara: "{word}"',
    "number_range": "angka {number} tidak dapat diucapkan: paling besar {high}",
}
"""Why an announcement or the voice pack cannot be made, as the technician reads it from
``ult voice`` (:class:`display.voice.VoiceError` ``.text``). The log keeps English."""
