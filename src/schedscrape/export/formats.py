"""Every output format by its `--format` name."""

from schedscrape.export.calendar import IcsWriter
from schedscrape.export.schedule import HtmlWriter
from schedscrape.export.writers import TABLE_WRITERS, Writer

WRITERS: dict[str, type[Writer]] = {
    writer.format: writer for writer in (*TABLE_WRITERS, IcsWriter, HtmlWriter)
}
