using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Astralytiq.Web.Charts;

/// <summary>
/// Text widgets' markdown, a safe subset: headings (#, ##, ###), bullet lists (- or *), paragraphs, **bold**, *italic*,
/// `code` and [links](https://…). It is built as elements, never as HTML text, so nothing in it can inject markup or
/// script; links go only to http(s) addresses and open in a new tab without an opener.
/// </summary>
public sealed partial class Markdown : ComponentBase
{
    [Parameter] public string? Text { get; set; }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var seq = 0;
        var lines = (Text ?? string.Empty).Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var inList = false;
        var paragraph = new List<string>();
        void FlushParagraph()
        {
            if (paragraph.Count == 0)
            {
                return;
            }
            builder.OpenElement(seq++, "p");
            builder.AddAttribute(seq++, "style", "margin:0 0 6px 0");
            Inline(builder, ref seq, string.Join(" ", paragraph));
            builder.CloseElement();
            paragraph.Clear();
        }
        void CloseList()
        {
            if (inList)
            {
                builder.CloseElement();
                inList = false;
            }
        }
        foreach (var raw in lines)
        {
            var line = raw.TrimEnd();
            var heading = HeadingPattern().Match(line);
            var bullet = BulletPattern().Match(line);
            if (line.Length == 0)
            {
                FlushParagraph();
                CloseList();
            }
            else if (heading.Success)
            {
                FlushParagraph();
                CloseList();
                builder.OpenElement(seq++, "h" + (heading.Groups[1].Length + 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
                builder.AddAttribute(seq++, "style", "margin:0 0 6px 0");
                Inline(builder, ref seq, heading.Groups[2].Value);
                builder.CloseElement();
            }
            else if (bullet.Success)
            {
                FlushParagraph();
                if (!inList)
                {
                    builder.OpenElement(seq++, "ul");
                    builder.AddAttribute(seq++, "style", "margin:0 0 6px 18px; padding:0");
                    inList = true;
                }
                builder.OpenElement(seq++, "li");
                Inline(builder, ref seq, bullet.Groups[1].Value);
                builder.CloseElement();
            }
            else
            {
                CloseList();
                paragraph.Add(line);
            }
        }
        FlushParagraph();
        CloseList();
    }

    private static void Inline(RenderTreeBuilder builder, ref int seq, string text)
    {
        var at = 0;
        foreach (Match m in InlinePattern().Matches(text))
        {
            if (m.Index > at)
            {
                builder.AddContent(seq++, text[at..m.Index]);
            }
            if (m.Groups["bold"].Success)
            {
                builder.OpenElement(seq++, "strong");
                builder.AddContent(seq++, m.Groups["bold"].Value);
                builder.CloseElement();
            }
            else if (m.Groups["italic"].Success)
            {
                builder.OpenElement(seq++, "em");
                builder.AddContent(seq++, m.Groups["italic"].Value);
                builder.CloseElement();
            }
            else if (m.Groups["code"].Success)
            {
                builder.OpenElement(seq++, "code");
                builder.AddContent(seq++, m.Groups["code"].Value);
                builder.CloseElement();
            }
            else
            {
                builder.OpenElement(seq++, "a");
                builder.AddAttribute(seq++, "href", m.Groups["url"].Value);
                builder.AddAttribute(seq++, "target", "_blank");
                builder.AddAttribute(seq++, "rel", "noopener noreferrer");
                builder.AddContent(seq++, m.Groups["label"].Value);
                builder.CloseElement();
            }
            at = m.Index + m.Length;
        }
        if (at < text.Length)
        {
            builder.AddContent(seq++, text[at..]);
        }
    }

    [GeneratedRegex(@"^(#{1,3})\s+(.*)$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"^\s*[-*]\s+(.*)$")]
    private static partial Regex BulletPattern();

    [GeneratedRegex(@"\*\*(?<bold>[^*]+)\*\*|\*(?<italic>[^*]+)\*|`(?<code>[^`]+)`|\[(?<label>[^\]]+)\]\((?<url>https?://[^)\s]+)\)")]
    private static partial Regex InlinePattern();
}
