import pytest

from csto_atlas.data.coverage import mentions, uncovered_mentions
from csto_atlas.data.load import load_atlas
from csto_atlas.data.quotes import check_quotes, normalise, paragraphs, quote_problem
from tests.tiny import tables, write_dataset


def test_normalising_folds_whitespace_and_typographic_quotes():
    assert normalise("Russia’s  “friends”\n club") == 'Russia\'s "friends" club'


def test_a_paragraph_is_a_non_blank_line():
    assert paragraphs("Title\n\n  \nFirst.\nSecond.\n") == ["Title", "First.", "Second."]


@pytest.mark.parametrize(
    ("quote", "locator", "reason"),
    [
        ('Russia\'s "friends"', "¶2", None),
        ("Russia’s “friends”", "¶2", None),
        ("Russia's friends", "¶2", '"Russia\'s friends" is not verbatim in ¶2 of the source'),
        ("Second", "¶2", "quote is in ¶3, not in ¶2"),
        ("Title", "¶1", "'¶1' is outside the article's body (¶2-¶3)"),
        ("Title", "¶9", "'¶9' is outside the article's body (¶2-¶3)"),
    ],
)
def test_a_quote_must_be_verbatim_in_its_body_paragraph(quote, locator, reason):
    body = {2: "Russia’s “friends” club", 3: "Second paragraph"}
    assert quote_problem(quote, locator, body) == reason


def test_the_tiny_dataset_quotes_are_verbatim(tiny, tiny_atlas):
    data_dir, _, sources_dir = tiny
    assert check_quotes(tiny_atlas, data_dir, sources_dir) == []


def test_a_misquoted_row_is_reported_with_its_line(tmp_path):
    data = tables()
    data["notes"][2]["quote"] = "Armenia hosts an American base"
    data_dir, geodata_dir, sources_dir = write_dataset(tmp_path, data)
    problems = check_quotes(load_atlas(data_dir, geodata_dir), data_dir, sources_dir)
    assert [str(p) for p in problems] == [
        "datasets/notes.csv line 4, column quote: 'Armenia hosts an American base' is not verbatim in ¶4 of the source"
    ]


def test_the_header_of_an_article_is_never_quoted(tmp_path):
    data = tables()
    data["notes"][0].update(locator="¶1", quote="Tiny Article")
    data_dir, geodata_dir, sources_dir = write_dataset(tmp_path, data)
    problems = check_quotes(load_atlas(data_dir, geodata_dir), data_dir, sources_dir)
    assert [str(p) for p in problems] == [
        "datasets/notes.csv line 2, column quote: '¶1' is outside the article's body (¶2-¶4)"
    ]


def test_a_source_file_that_is_not_there_is_reported(tmp_path):
    data_dir, geodata_dir, sources_dir = write_dataset(tmp_path)
    (sources_dir / "tiny.txt").unlink()
    problems = check_quotes(load_atlas(data_dir, geodata_dir), data_dir, sources_dir)
    assert [str(p) for p in problems] == [
        f"datasets/sources.csv line 2, column file: 'tiny.txt' is not in {sources_dir}"
    ]


def test_mentions_find_names_and_aliases_as_whole_words(tiny, tiny_atlas):
    texts = {
        "tiny-article": {1: "Armenian troops", 2: "Uzbekistani", 3: "An Uzbek view", 4: "Armenia"}
    }
    found = mentions(tiny_atlas, texts)
    assert found.values.tolist() == [
        ["tiny-article", "¶1", "ARM"],
        ["tiny-article", "¶3", "UZB"],
        ["tiny-article", "¶4", "ARM"],
    ]


def test_every_paragraph_naming_a_country_needs_a_note_about_it(tmp_path):
    data = tables()
    del data["notes"][2]  # the only note on ¶4, which names Armenia
    data_dir, geodata_dir, sources_dir = write_dataset(tmp_path, data)
    problems = uncovered_mentions(load_atlas(data_dir, geodata_dir), data_dir, sources_dir)
    assert [str(p) for p in problems] == [
        "datasets/notes.csv: no note about ARM cites tiny-article ¶4, which names it"
    ]
