"""The board's checks for ``ult doctor`` (entry-point group ``ult.doctor``): the screen's DRM
device and the sound device, each finding with its fix.

SDL's KMS/DRM driver needs a ``/dev/dri/card*`` the service may open (groups video and
render); sound goes through ALSA (``/dev/snd``), PITFALLS, board. :data:`DEV` is where the
devices are looked for, so that a test can point it at a folder of its own.
"""

from __future__ import annotations

import os
from pathlib import Path

from display.messages import DOCTOR
from ult.doctor import Finding, Level
from ult.settings import Settings
from ult.system import run_tool

DEV = Path("/dev")


def board_checks(settings: Settings) -> list[Finding]:
    """The DRM device for the screen and the ALSA playback device for the voice."""
    return [_screen(), *_sound(settings)]


def _screen() -> Finding:
    cards = sorted((DEV / "dri").glob("card*"))
    if not cards:
        return Finding("display", Level.PROBLEM, DOCTOR["no_drm"], DOCTOR["no_drm_fix"])
    usable = [card for card in cards if os.access(card, os.R_OK | os.W_OK)]
    names = ", ".join(str(card) for card in cards)
    if not usable:
        text = DOCTOR["drm_no_permission"].format(cards=names)
        return Finding("display", Level.PROBLEM, text, DOCTOR["drm_permission_fix"])
    return Finding("display", Level.OK, DOCTOR["drm_ok"].format(cards=names))


def _sound(settings: Settings) -> list[Finding]:
    if not settings.display.sound:
        return [Finding("sound", Level.INFO, DOCTOR["sound_off"])]
    outputs = sorted((DEV / "snd").glob("pcmC*D*p"))
    if not outputs:
        return [Finding("sound", Level.WARNING, DOCTOR["no_sound"], DOCTOR["no_sound_fix"])]
    found = [Finding("sound", Level.OK, DOCTOR["sound_ok"].format(count=len(outputs)))]
    wanted = settings.display.audio_device
    if wanted is not None:
        listed = run_tool("aplay", "-L")
        if listed is not None and listed.code == 0 and wanted not in listed.out.split():
            text = DOCTOR["audio_device_unknown"].format(device=wanted)
            found.append(Finding("sound", Level.WARNING, text, DOCTOR["audio_device_fix"]))
    return found
