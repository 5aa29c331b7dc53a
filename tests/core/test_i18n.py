"""The language switch: normalised codes, per-context language, German as the source language."""
import threading

from monitor.core import i18n


def test_normalise_accepts_link_forms_and_falls_back_to_german():
    assert i18n.normalise("EN") == "en"
    assert i18n.normalise("en-GB") == "en"
    assert i18n.normalise("en_US") == "en"
    assert i18n.normalise("de") == "de"
    assert i18n.normalise("xx") == i18n.DEFAULT
    assert i18n.normalise(None) == i18n.DEFAULT
    assert i18n.normalise("<script>") == i18n.DEFAULT


def test_language_block_restores_the_previous_language():
    before = i18n.current()
    with i18n.language("en") as lang:
        assert lang == "en" == i18n.current()
    assert i18n.current() == before


def test_a_thread_keeps_its_own_language():
    seen = {}

    def run():
        i18n.set_language("en")
        seen["thread"] = i18n.current()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen["thread"] == "en"
    assert i18n.current() == i18n.DEFAULT


def test_german_is_returned_as_written():
    with i18n.language("de"):
        assert i18n._("Gemeinden") == "Gemeinden"
        assert i18n.ngettext("{n} Initiative", "{n} Initiativen", 1) == "{n} Initiative"
        assert i18n.ngettext("{n} Initiative", "{n} Initiativen", 3) == "{n} Initiativen"
