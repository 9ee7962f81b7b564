"""Answers rendered for the chat, the reader and the context line, on the real answers of the real corpus."""
import re

from ui.render import answer_html, context_markdown, highlighted_paragraph, reader_html, working_html


def test_each_marker_links_to_its_card_and_the_span_is_marked_inside_its_paragraph(assistant):
    answer = assistant.ask("深圳市2024年和2025年分别上线了多少个“高效办成一件事”？")
    html = answer_html(answer, 7, "en", assistant.texts)
    assert "\n" not in html  # one HTML block for the chat's markdown renderer
    assert "<table>" in html and "23个" in html and "45个" in html
    links = re.findall(r'<a class="cite" href="#src-7-(\d)"', html)
    cards = re.findall(r'<details class="source-card" id="src-7-(\d)"', html)
    assert set(links) == set(cards) == {"1", "2"}
    for c in answer.citations:
        assert f"<mark>{c.text}</mark>" in html
        assert assistant.texts[c.report_id][c.start:c.end] == c.text


def test_a_citation_of_an_uploaded_report_says_so_on_its_card(assistant):
    answer = assistant.ask("2024年中山市12345热线服务总量是多少？")
    assert "uploaded" not in answer_html(answer, 1, "en", assistant.texts)
    uploaded = answer.model_copy(update={"citations": [c.model_copy(update={"uploaded": True}) for c in answer.citations]})
    assert '<span class="uploaded"' in answer_html(uploaded, 1, "en", assistant.texts)
    assert "用户上传" in answer_html(uploaded, 1, "zh", assistant.texts)


def test_a_marker_naming_no_citation_stays_plain_text(assistant):
    answer = assistant.ask("2024年中山市12345热线服务总量是多少？").model_copy(update={"answer": "见 [1] 和 [9]"})
    html = answer_html(answer, 1, "zh", assistant.texts)
    assert 'href="#src-1-1"' in html and "[9]" in html and "src-1-9" not in html


def test_not_found_shows_related_passages_as_not_an_answer(assistant):
    answer = assistant.ask("北京市2024年12345热线满意度是多少？")
    html = answer_html(answer, 1, "zh", assistant.texts)
    assert answer.status == "not_found" and 'data-status="not_found"' in html and "报告中未找到" in html
    if answer.related:
        assert "相关段落——并非答案" in html and 'class="source-card related"' in html
    # the banner's icon is a text glyph in a circle: nothing in it needs an emoji font (chromium has none here)
    banner = re.search(r'<div class="banner">(.*?)</div>', html).group(1)
    assert '<span class="icon" aria-hidden="true">' in banner and not re.search("[\U0001F000-\U0001FAFF\u2753\u2754]", banner)


def test_report_text_is_escaped():
    text = "前文<script>x</script>。上线45个事项。后文"
    span = "上线45个事项。"
    start = text.index(span)
    shown = highlighted_paragraph(text, start, start + len(span), span)
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "<mark>上线45个事项。</mark>" in shown


def test_paragraph_is_trimmed_around_a_span_in_a_long_line():
    text = "甲" * 1000 + "上线45个" + "乙" * 1000
    shown = highlighted_paragraph(text, 1000, 1005, "上线45个")
    assert shown.startswith("…") and shown.endswith("…") and len(shown) < 700


def test_reader_marks_a_span_across_lines():
    text = "第一行\n第二行有45个\n第三行"
    html = reader_html(text, text.index("45"), text.index("第三") + 2)
    assert html.count("<mark") == 2 and '<mark id="reader-hit">45个</mark>' in html
    assert reader_html(text).count("<p") == 3 and "<mark" not in reader_html(text)


def test_reader_finds_words_and_lists_the_sections(assistant):
    """Find in the report: every occurrence marked (literally: a regex character is a character), the first one to
    scroll to; the contents are the report's headings (一、 / （一）, not its 一是 items), each linked to its paragraph."""
    from ui.render import find_spans

    text, contents = assistant.texts["003"], assistant.contents["003"]
    html = reader_html(text, None, None, contents, "12345热线")
    assert html.count('<mark class="find"') == len(find_spans(text, "12345热线")) == text.count("12345热线") > 1
    assert html.count('id="reader-find"') == 1 and "目录 · Contents" in html
    assert all(f'id="reader-at-{offset}"' in html for _, offset, _ in contents)
    assert any(label.startswith("一、") for _, _, label in contents) and not any("是" == label[1:2] for _, _, label in contents)
    assert reader_html("a.b a+b", find=".+").count("<mark") == 0 and len(find_spans("a.b a+b", "+")) == 1
    assert '&lt;b&gt;<mark class="find" id="reader-find">x</mark>&lt;/b&gt;' in reader_html("<b>x</b>", find="x")  # escaped


def test_context_line_names_what_follow_ups_keep():
    scope = {"regions": ["深圳市"], "years": [2025], "carried": ["year"], "dropped": []}
    line = context_markdown(scope, "en", {"深圳市": "Shenzhen"})
    assert "Shenzhen" in line and "2025" in line and "kept from the previous turn: year" in line
    assert "暂无假定" in context_markdown({}, "zh", {})


def test_the_work_in_progress_shows_what_was_understood_then_the_passages_read(assistant):
    stages = []
    answer = assistant.ask("How many one-matter items did Shenzhen launch in 2025?", on_stage=stages.append)
    names = {"深圳市": "Shenzhen"}
    understood = working_html(stages[:1], 1, "zh", names, assistant.texts)
    assert "理解为：数字 · Shenzhen · 2025 · 1 份符合的报告 · 以英文作答" in understood and "source-card" not in understood
    reading = working_html(stages, 1, "en", names, assistant.texts)
    assert "Understood: a figure · Shenzhen · 2025 · 1 matching report" in reading
    assert "answer in" not in reading  # said only when the answer's language is not the interface's
    assert reading.count('class="source-card related"') == len(stages[1].passages) > 0
    assert answer.citations[0].text in reading  # the passage the answer rests on was among those shown while reading


def test_markup_in_report_text_reaches_the_page_escaped(assistant):
    """A report (an upload) may hold HTML; quoted in an answer, it is shown as text, never run."""
    answer = assistant.ask("2024年中山市12345热线服务总量是多少？")
    payload = '<img src=x onerror="alert(document.domain)"><script>alert(1)</script>'
    hostile = answer.model_copy(update={"answer": f"“{payload}”[1]", "notes": [payload]})
    page = answer_html(hostile, 1, "zh", assistant.texts)
    assert "<img" not in page and "<script" not in page
    assert "&lt;img" in page and "&lt;script&gt;" in page


def test_copy_as_markdown_carries_the_whole_answer_markdown_escaped_in_its_attribute(assistant):
    import html as html_module

    from assistant.export import answer_markdown

    answer = assistant.ask("深圳市2024年和2025年分别上线了多少个“高效办成一件事”？")
    answer = answer.model_copy(update={"question": 'say "hi" <b>&</b>'})
    page = answer_html(answer, 1, "zh", assistant.texts)
    [attribute] = re.findall(r'<button class="copy-md" type="button" data-md="([^"]*)"', page)
    assert html_module.unescape(attribute) == answer_markdown(answer, "")  # newlines and quotes survive
    assert "?report=" in html_module.unescape(attribute)  # reader links, made absolute by the page's script


def test_markdown_from_outside_never_becomes_a_link_an_image_or_emphasis_in_a_quote(assistant):
    """The answer's Markdown holds words from outside: a question's subject ("What is [深小i](http://…)?") and report
    text (an upload may hold "![追踪](http://…)" or "**满意度**"). Neither becomes a link or an image, and a quote shows
    the report's characters as written; the answer's own tables, lists and bold labels still render."""
    answer = assistant.ask("2024年中山市12345热线服务总量是多少？")
    span = answer.citations[0].text
    hostile_span = "开通![追踪](http://127.0.0.1:9/p.png)和[官网](http://evil.example/)热线**满意度**_高_"
    citations = [answer.citations[0].model_copy(update={"text": hostile_span})]
    text = f"[深小i](http://evil.example/), as the reports describe it:\n- “{hostile_span}”[1]\n\n**label**"
    page = answer_html(answer.model_copy(update={"answer": text, "citations": citations}), 1, "en", assistant.texts)
    body = re.search(r'<div class="answer-text">(.*?)</div>', page).group(1)
    assert "<a href" not in body.replace('<a href="#', "") and "<img" not in page
    assert "http://evil.example/" in body and "![追踪](http://127.0.0.1:9/p.png)" in body  # shown as written
    assert "**满意度**_高_" in body  # a quote is verbatim: no emphasis taken from report text
    assert "<li>" in body and "<strong>label</strong>" in body  # the answer's own Markdown
    assert span  # the real answer cited a span (the hostile one replaced it)


def test_text_from_outside_shown_in_the_chat_is_literal():
    """A question (or a conversation's title) shown where the chat renders Markdown: every ASCII punctuation mark as a
    character reference, so no link, image, emphasis or LaTeX; html.unescape gives the question back (Regenerate)."""
    import html as html_module

    from markdown_it import MarkdownIt

    from ui.render import literal

    question = '![t](http://127.0.0.1:9/t.png) [点我](http://evil.example/) **粗** $$x$$ <b>&</b> 深圳市2025年？'
    shown = literal(question)
    rendered = MarkdownIt("commonmark").render(shown)
    assert "<a" not in rendered and "<img" not in rendered and "<strong>" not in rendered and "<b>" not in rendered
    assert html_module.unescape(shown) == question
