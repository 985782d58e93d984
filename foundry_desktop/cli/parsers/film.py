"""Options of the commands that make the film or hand its cut over: render, export and import."""

from __future__ import annotations

import argparse

from foundry_desktop.app.render.output_presets import OUTPUT_PRESETS
from foundry_desktop.cli.parsers import Commands
from foundry_desktop.cli.parsers import values
from foundry_desktop.domain.ranges.value_range import BITRATE_KBPS, CRF, LOUDNESS_LUFS, TRUE_PEAK_DBTP


def render(commands: Commands, name: str, summary: str) -> None:
    render = commands.add_parser(name, help=summary, description=(
        "Render the timeline's selected takes into one film: H.264/AAC MP4 at the project's size unless "
        "a preset says otherwise. The container follows the file name (.mp4, .mov, .webm, .mkv). "
        "Presets: " + "; ".join(f"{p.name}: {p.label}" for p in OUTPUT_PRESETS.values()) + "."
    ))
    render.add_argument("project", metavar="PROJECT")
    render.add_argument("-o", "--output", required=True, metavar="FILE", help="the film to write (.mp4, .mov, .webm, .mkv)")
    render.add_argument("--preset", choices=list(OUTPUT_PRESETS), metavar="NAME",
                        help="size and codec: " + ", ".join(OUTPUT_PRESETS))
    render.add_argument("--encoder", default="auto", metavar="NAME",
                        help="auto (default: the fastest that works here) or an encoder `foundry doctor` lists as working")
    quality = render.add_mutually_exclusive_group()
    quality.add_argument("--crf", type=values.whole(CRF), metavar="N", help="constant quality, lower is better (H.264 default 20)")
    quality.add_argument("--bitrate", type=values.whole(BITRATE_KBPS), metavar="KBPS", help="average video bitrate in kb/s instead")
    render.add_argument("--json", action="store_true", help="print the rendered film and what the render did as JSON")
    render.add_argument("--loudness", type=values.number(LOUDNESS_LUFS), default=-14.0, metavar="LUFS",
                        help="integrated loudness to normalise the mix to (default -14, as streaming services play)")
    render.add_argument("--true-peak", type=values.number(TRUE_PEAK_DBTP), default=-1.0, metavar="DBTP",
                        help="ceiling for the mix's true peak (default -1)")
    render.add_argument("--no-normalise", action="store_true", help="leave the mix as it is")


def export(commands: Commands, name: str, summary: str) -> None:
    export = commands.add_parser(name, help=summary, description=(
        "Write the cut (shots, trims, transitions, fades, music, markers, captions) as FCPXML (Final Cut Pro, "
        "DaVinci Resolve), a CMX 3600 EDL (Premiere, Avid, Resolve; the music goes into NAME.music.edl beside it) "
        "or OpenTimelineIO, by the file's extension. It describes exactly the film `render` makes."
    ))
    export.add_argument("project", metavar="PROJECT")
    export.add_argument("-o", "--output", required=True, metavar="FILE", help="the file to write (.fcpxml, .edl, .otio)")
    export.add_argument("--fcpxml-version", default="1.10", choices=["1.9", "1.10"],
                        help="1.10 (default: Final Cut 10.6+, Resolve 18.5+) or 1.9 (Final Cut 10.4.9-10.5)")
    _drop_frame_options(export, "(default: the film's own, see `foundry timecode`)")
    export.add_argument("--edl-names", choices=["cmx", "long"],
                        help="EDL reel names: cmx (8 characters, strict CMX 3600) or long (File129, as Resolve "
                             "and Avid write them, event numbers past 999 too); default: long only where the shots' reels or "
                             "the number of events need it")
    export.add_argument("--json", action="store_true", help="print the files written and any notes as JSON")


def import_(commands: Commands, name: str, summary: str) -> None:
    import_ = commands.add_parser(name, help=summary, description=(
        "Make a new project from an FCPXML (1.3-1.13), CMX 3600 EDL or OTIO file: each clip becomes a shot "
        "with the clip's media as its take, trimmed as the cut trims it. A clip whose media is missing becomes "
        "a shot to generate. What cannot be represented (clips connected above the picture, speed changes, "
        "effects) is listed."
    ))
    import_.add_argument("file", metavar="FILE", help="the cut to read (.fcpxml, .fcpxmld, .edl, .otio, .otioz, .otiod)")
    import_.add_argument("-o", "--output", required=True, metavar="PROJECT", help="the new project (.foundry)")
    import_.add_argument("--rate", metavar="RATE", type=values.frame_rate,
                         help="the frame rate an EDL was cut at (an EDL does not say): 23.976, 24, 25, 29.97...")
    import_.add_argument("--sequence", metavar="NAME",
                         help="which timeline of a file holding several (an FCPXML library's projects, an OTIO "
                              "collection's timelines) to import, by name or number; without it such a file lists "
                              "them and exits with status 2")
    import_.add_argument("--json", action="store_true", help="print the result as JSON")


def _drop_frame_options(parser: argparse.ArgumentParser, default: str) -> None:
    drop = parser.add_mutually_exclusive_group()
    drop.add_argument("--drop-frame", dest="drop_frame", action="store_true", default=None,
                      help=f"drop-frame timecode, 29.97 and 59.94 fps only {default}")
    drop.add_argument("--non-drop-frame", dest="drop_frame", action="store_false", help="non-drop-frame timecode")


def timecode(commands: Commands, name: str, summary: str) -> None:
    timecode = commands.add_parser(name, help=summary, description=(
        "Show or set the film's timecode: where it starts (01:00:00:00 unless set) and whether it drops frame "
        "labels (at 29.97 and 59.94 fps unless set). Exports write it; an imported cut keeps its own. "
        "A change is one undo step."
    ))
    timecode.add_argument("project", metavar="PROJECT")
    timecode.add_argument("--start", metavar="TIMECODE", help="the film's first frame's timecode, e.g. 04:00:00:00")
    _drop_frame_options(timecode, "(default: as the rate allows)")
    timecode.add_argument("--json", action="store_true", help="print the film's timecode as JSON")
