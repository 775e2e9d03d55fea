using Astralytiq.Web.Services;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Astralytiq.Tests.Data;

/// <summary>The SQL workspace's suggestions: by a name's start first, then by a word inside it, any part, its letters in order.</summary>
public sealed class SqlCompletionTests
{
    private static readonly string[] Names = ["order_date", "total_amount", "TotalAmount", "amount", "discount", "Orders", "ORDER", "customer_id"];

    [Theory]
    [InlineData("ord", new[] { "order_date", "Orders", "ORDER" })]
    [InlineData("amount", new[] { "total_amount", "TotalAmount" })] // "amount" itself is what was typed
    [InlineData("AMO", new[] { "amount", "total_amount", "TotalAmount" })]
    [InlineData("ount", new[] { "total_amount", "TotalAmount", "amount", "discount" })]
    [InlineData("tamt", new[] { "total_amount", "TotalAmount" })]
    [InlineData("cid", new[] { "customer_id" })]
    [InlineData("zz", new string[0])]
    public void Names_are_suggested_by_their_start_then_a_word_inside_then_any_part_then_their_letters_in_order(string typed, string[] expected) =>
        Assert.Equal(expected, SqlCompletion.Suggest(typed, Names));

    [Fact]
    public void Two_letters_do_not_match_scattered_letters_and_the_list_is_capped()
    {
        Assert.Empty(SqlCompletion.Suggest("ti", ["customer_id"]));
        Assert.Equal(8, SqlCompletion.Suggest("c", Enumerable.Range(0, 20).Select(i => $"c{i}")).Count);
    }

    private static readonly Gen<string> Word = Gen.Elements('a', 'b', 'c', 'A', 'B', '_', '1').ArrayOf().Where(a => a.Length is > 0 and < 8).Select(a => new string(a));

    public static class Arbitraries
    {
        public static Arbitrary<(string Typed, string[] Names)> Cases() =>
            (from typed in Word from names in Word.ArrayOf() select (typed, names)).ToArbitrary();
    }

    /// <summary>Every suggestion holds the typed letters in order, none is the typed word itself, and a name starting with them always comes first.</summary>
    [Property(MaxTest = 200, Arbitrary = [typeof(Arbitraries)])]
    public void Suggestions_hold_what_was_typed_and_names_starting_with_it_come_first((string Typed, string[] Names) c)
    {
        var suggestions = SqlCompletion.Suggest(c.Typed, c.Names);
        Assert.True(suggestions.Count <= 8);
        Assert.Equal(suggestions.Count, suggestions.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(c.Typed, suggestions);
        Assert.All(suggestions, s => Assert.True(SqlCompletion.Rank(c.Typed, s) >= 0));
        var ranks = suggestions.Select(s => SqlCompletion.Rank(c.Typed, s)).ToList();
        Assert.Equal(ranks.Order(), ranks);
        var prefixed = c.Names.Distinct(StringComparer.Ordinal).Where(n => n != c.Typed && n.StartsWith(c.Typed, StringComparison.OrdinalIgnoreCase)).Take(8);
        Assert.Equal(prefixed, suggestions.Take(prefixed.Count()));
    }
}
