"""Text the new-file templates write for staff to replace never goes live, and a new
category or tag that looks like a slip for one in use is pointed out."""

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, SAMPLE_SETTINGS, build, run_check

sys.path.insert(0, str(ROOT / "plugins"))
from checks.scaffold import check_placeholders, load_scaffold  # noqa: E402
from checks.site import near_names  # noqa: E402

NOW = datetime(2026, 11, 5, 9, 0, tzinfo=UTC)


def scaffold_module(path=ROOT / "scripts" / "new.py"):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"new_{abs(hash(path))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def new_files(tmp_path):
    """Run the kit's own scripts/new.py (a copy, so it writes into tmp_path/content)."""
    kit = tmp_path / "kit"
    (kit / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "new.py", kit / "scripts")
    for kind in ("post", "event", "brochure"):
        proc = subprocess.run(
            [sys.executable, "scripts/new.py", "--settings", SAMPLE_SETTINGS, kind,
             f"Summer {kind}"],
            cwd=kit, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    return kit / "content"


def test_a_new_file_is_dated_today_in_the_sites_timezone(tmp_path):
    """`make newpost` dates the file in pelicanconf.py's TIMEZONE (or SETTINGS'), not the
    computer's or London's: Kiritimati's offset (+14:00) and Pago Pago's (-11:00) are
    never London's, in any season."""
    kit = tmp_path / "kit"
    (kit / "scripts").mkdir(parents=True)
    for name in ("Makefile", "requirements.txt", "scripts/new.py"):
        shutil.copy2(ROOT / name, kit / name)  # the times kept: the .venv is up to date
    (kit / ".venv").symlink_to(ROOT / ".venv")
    (kit / "pelicanconf.py").write_text('TIMEZONE = "Pacific/Kiritimati"\n')
    (kit / "other.py").write_text('TIMEZONE = "Pacific/Pago_Pago"\n')
    for kind, settings, zone, offset in [
        ("newpost", [], "Pacific/Kiritimati", "+14:00"),
        ("newevent", ["SETTINGS=other.py"], "Pacific/Pago_Pago", "-11:00"),
    ]:
        before = datetime.now(ZoneInfo(zone)).date()
        proc = subprocess.run(
            ["make", "-s", kind, f"TITLE=Story time {zone}", *settings],
            cwd=kit, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        after = datetime.now(ZoneInfo(zone)).date()
        assert proc.returncode == 0, proc.stderr
        (made,) = (kit / "content" / "posts").glob(f"*-story-time-{zone.lower().replace('/', '')}*")
        assert made.name[:10] in (before.isoformat(), after.isoformat()), made.name
        date = next(line for line in made.read_text().splitlines() if line.startswith("Date:"))
        assert date.startswith(f"Date: {made.name[:10]} ") and date.endswith(offset), date
    (kit / "pelicanconf.py").write_text('TIMEZONE = "Riverside/Central"\n')
    bad = subprocess.run(
        ["make", "-s", "newbrochure", "TITLE=Winter"],
        cwd=kit, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bad.returncode != 0
    assert "pelicanconf.py: TIMEZONE = 'Riverside/Central' is not a time zone" in bad.stderr


def test_an_unedited_new_post_fails_the_check_with_each_placeholder_named(tmp_path):
    content = new_files(tmp_path)
    post = next(content.glob("posts/*summer-post.md"))
    event = next(content.glob("posts/*summer-event.md"))
    brochure = next(content.glob("brochures/*summer-brochure.md"))
    proc = run_check(content, tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    p, e, b = (f"content/{f.parent.name}/{f.name}" for f in (post, event, brochure))
    expected = [
        f"{p}:3: error: Summary: 'One or two sentences for the news list, search results, "
        "feeds and social media.' is the placeholder `make newpost` wrote",
        "Fix: Replace line 3 with 'Summary: ' and one or two sentences about this post.",
        f"{p}:5: error: Tags: 'comma', 'separated', 'tags' are the placeholder",
        f"{p}:6: error: Authors: 'Your name' is the placeholder `make newpost` wrote",
        f"{p}:8: error: Lines 8 to 15 are example text `make newpost` wrote, starting "
        "'Write your post here",
        f"{p}:17: error: The guidance comment `make newpost` wrote is still here (lines 17 to",
        "published in the page's source. Fix: Delete lines 17 to",
        f"{e}:12: error: Accessibility: 'Step-free access and a hearing loop.' is the "
        "placeholder `make newevent` wrote",
        f"{e}:23: error: The guidance comment `make newevent` wrote",
        f"{b}:4: error: Season: 'The dates or season it covers' is the placeholder "
        "`make newbrochure` wrote",
        f"{b}:6: error: Cover-Alt: 'Describe the cover picture.' is the placeholder",
        f"{b}:8: error: Lines 8 to 12 are example text `make newbrochure` wrote",
    ]
    for line in expected:
        assert line in out, f"missing: {line}\n{out}"
    assert "Fix the errors before publishing." in out


def test_placeholders_stop_the_publish_build_and_are_located_in_the_dev_build(tmp_path):
    content = new_files(tmp_path)
    for folder in ("brochures",):  # a brochure needs a cover picture besides
        shutil.rmtree(content / folder)
    site = build(tmp_path / "dev", content=content, cwd=content.parent)
    assert site.returncode == 0, site.log
    assert "summer-post.md:3: error: Summary:" in site.log
    published = build(tmp_path / "publish", content=content, cwd=content.parent, publish=True)
    assert published.returncode != 0
    assert "is the placeholder `make new" in published.log


def test_an_edited_post_has_no_placeholders_left():
    new = scaffold_module()
    text = new.render("post", "Lego club", NOW)
    for old, mine in [
        (new.PLACEHOLDERS["summary"][0], "Build with us on Saturdays."),
        (new.PLACEHOLDERS["tags"][0], "children, Lego"),
        (new.PLACEHOLDERS["authors"][0], "Priya Shah"),
    ]:
        text = text.replace(old, mine)
    head, _, _ = text.partition("\n\n")
    edited = head + "\n\nCome and build.\n\n## What to bring\n\n- a list\n- of ideas\n"
    assert check_placeholders(edited, "content/posts/x.md", load_scaffold()) == []
    # A placeholder tag left among real ones is named on its own.
    partly = edited.replace("Tags: children, Lego", "Tags: children, tags")
    (finding,) = check_placeholders(partly, "content/posts/x.md", load_scaffold())
    assert finding.line == 5 and "Tags: 'tags' is the placeholder" in finding.problem
    # A heading left from the example is an error even alone; a short list item is not.
    left = edited.replace("## What to bring", "## A subheading").replace("a list", "bricks")
    (finding,) = check_placeholders(left, "content/posts/x.md", load_scaffold())
    assert finding.line == 10 and "Line 10 is example text" in finding.problem


def test_the_placeholders_are_read_from_the_scaffold_not_copied(tmp_path):
    """Change the scaffold's text: the check follows it."""
    source = (ROOT / "scripts" / "new.py").read_text()
    changed = source.replace(
        "One or two sentences for the news list, search results, feeds and social media.",
        "Say what the post is about in a sentence.",
    ).replace("## A subheading", "## Your first heading goes here")
    assert changed != source
    copy = tmp_path / "new.py"
    copy.write_text(changed)
    scaffold = load_scaffold(copy)
    text = scaffold_module(copy).render("post", "Lego club", NOW)
    problems = [f.problem for f in check_placeholders(text, "content/posts/x.md", scaffold)]
    assert any("'Say what the post is about in a sentence.'" in p for p in problems), problems
    old = scaffold_module().render("post", "Lego club", NOW)
    old_problems = [f.problem for f in check_placeholders(old, "content/posts/x.md", scaffold)]
    assert not any("One or two sentences" in p for p in old_problems), old_problems
    assert "## Your first heading goes here" in scaffold.lines
    assert "## A subheading" not in scaffold.lines


POST = "Title: {title}\nDate: 2026-11-{day:02d} 09:00\nCategory: {category}\nTags: {tags}\n"
POST += "Summary: About {title}.\n\nText.\n"


def test_a_new_category_or_tag_close_to_one_in_use_is_a_warning(tmp_path):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    posts = [
        ("Story time", "Events", "children, stories"),
        ("Rhyme time", "Events", "children, rhymes"),
        ("Lego club", "Event", "Childrens, Lego"),  # two slips, and a new tag that is fine
        ("Library news", "News", "opening hours"),
        ("Hours", "news", "Opening hours"),  # same name but for capitals
    ]
    for day, (title, category, tags) in enumerate(posts, start=1):
        name = title.lower().replace(" ", "-")
        (content / "posts" / f"{name}.md").write_text(
            POST.format(title=title, day=day, category=category, tags=tags)
        )
    proc = run_check(content, tmp_path)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr  # warnings never stop publishing
    expected = [
        "content/posts/lego-club.md:3: warning: The category 'Event' is new (only this post "
        "has it) and close to 'Events', which 2 other posts have. Fix: Write 'Events' if you "
        "meant that category. If 'Event' is meant to be a new category, leave it: this is "
        "only a warning",
        "content/posts/lego-club.md:4: warning: The tag 'Childrens' is new (only this post has "
        "it) and close to 'children'",
        "content/posts/hours.md:3: warning: The category 'news' is new",
        "close to 'News'",
        "content/posts/hours.md:4: warning: The tag 'Opening hours' is new",
    ]
    for line in expected:
        assert line in out, f"missing: {line}\n{out}"
    assert "'Lego'" not in out and "'stories'" not in out
    site = build(tmp_path / "dev", content=content, cwd=tmp_path)
    assert "lego-club.md:3: warning: The category 'Event' is new" in site.log


class Post:
    def __init__(self, category, tags, path="content/posts/p.md"):
        self.category, self.tags, self.source_path = category, tags, path


@pytest.mark.parametrize(
    ("new", "existing", "near"),
    [
        ("Event", "Events", True),
        ("Libraries", "Library", True),
        ("Reading group", "Reading groups", True),
        ("Digital Help", "Digital help", True),
        ("Evnets", "Events", True),
        ("Lego", "Events", False),
        ("Art", "Arts", True),
        ("Fun", "Run", False),
    ],
)
def test_near_names(new, existing, near):
    posts = [Post(existing, []), Post(existing, []), Post(new, [], "content/posts/new.md")]
    found = near_names(posts)
    assert bool(found) is near, found
    if near:
        assert found[0].path == "content/posts/new.md" and not found[0].error
