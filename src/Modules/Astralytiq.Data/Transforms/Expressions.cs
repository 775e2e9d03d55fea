namespace Astralytiq.Data.Transforms;

/// <summary>
/// The derived-column and filter expression language: a small, typed language parsed into a syntax tree
/// and compiled to DuckDB SQL. Column names are checked and quoted; every literal is a bound parameter;
/// function names come from a fixed table. Nothing the user typed reaches the SQL text.
/// <code>
///   price * quantity                      round(total / 1.2, 2)
///   upper(trim(city)) + ', ' + country    if(score >= 50, 'pass', 'fail')
///   [Order Date] is not null and year([Order Date]) in (2024, 2025)
/// </code>
/// Operators, loosest first: <c>or</c>; <c>and</c>; <c>not</c>; comparisons <c>= == != &lt;&gt; &lt; &lt;= &gt; &gt;=</c>,
/// <c>is [not] null</c>, <c>[not] in (…)</c>; <c>+ -</c> (<c>+</c> joins text); <c>* / %</c>; unary minus.
/// Names with spaces or symbols go in square brackets. Division by zero gives null.
/// </summary>
internal static class Expressions
{
    public const int MaxLength = 4000;
    private const int MaxDepth = 64;

    internal abstract record Node(int Position);

    /// <param name="DoubleQuoted">Text written in double quotes, which SQL would read as a column name.</param>
    internal sealed record Literal(int Position, object? Value, string Type, bool DoubleQuoted = false) : Node(Position);

    internal sealed record Column(int Position, string Name) : Node(Position);

    internal sealed record Unary(int Position, string Op, Node Operand) : Node(Position);

    internal sealed record Binary(int Position, string Op, Node Left, Node Right) : Node(Position);

    internal sealed record IsNull(int Position, Node Operand, bool Negated) : Node(Position);

    internal sealed record InList(int Position, Node Operand, IReadOnlyList<Node> Items, bool Negated) : Node(Position);

    internal sealed record Call(int Position, string Name, IReadOnlyList<Node> Arguments) : Node(Position);

    internal sealed class ExpressionException(string message, int position) : Exception(message)
    {
        public int Position { get; } = position;
    }

    /// <summary>Names of the functions, for the builder's help and error messages.</summary>
    public static IReadOnlyList<string> FunctionNames { get; } =
    [
        "abs", "round", "floor", "ceil", "sqrt", "ln", "log10", "exp", "power", "least", "greatest", "coalesce", "nullif", "if",
        "lower", "upper", "trim", "length", "substring", "left", "right", "replace", "concat", "contains", "starts_with", "ends_with",
        "year", "quarter", "month", "week", "day", "weekday", "hour", "minute", "date_diff", "date_trunc",
        "to_integer", "to_decimal", "to_string", "to_boolean", "to_date", "to_timestamp",
    ];

    private static readonly string[] DateParts = ["year", "quarter", "month", "week", "day", "hour", "minute", "second"];

    // ---------------------------------------------------------------- parsing

    private enum TokenKind { Number, String, Name, Symbol, End }

    private readonly record struct Token(TokenKind Kind, string Text, int Position, bool DoubleQuoted = false);

    public static Node Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new ExpressionException($"the expression is longer than {MaxLength} characters", 0);
        }
        var parser = new Parser(Tokenize(text));
        var node = parser.Expression(0);
        if (parser.Peek.Kind != TokenKind.End)
        {
            throw new ExpressionException($"unexpected '{parser.Peek.Text}'", parser.Peek.Position);
        }
        return node;
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            var start = i;
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }
                if (i < text.Length && text[i] is 'e' or 'E' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || (text[i + 1] is '+' or '-' && i + 2 < text.Length && char.IsAsciiDigit(text[i + 2]))))
                {
                    i += 2;
                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }
                tokens.Add(new Token(TokenKind.Number, text[start..i], start));
            }
            else if (c is '\'' or '"')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new ExpressionException("a text literal is not closed", start);
                    }
                    if (text[i] == c)
                    {
                        if (i + 1 < text.Length && text[i + 1] == c)
                        {
                            value.Append(c);
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.Append(text[i++]);
                }
                tokens.Add(new Token(TokenKind.String, value.ToString(), start, c == '"'));
            }
            else if (c == '[')
            {
                var end = text.IndexOf(']', i + 1);
                if (end < 0)
                {
                    throw new ExpressionException("a [column name] is not closed", start);
                }
                tokens.Add(new Token(TokenKind.Name, "[" + text[(i + 1)..end], start));
                i = end + 1;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Name, text[start..i], start));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                if (two is "==" or "!=" or "<>" or "<=" or ">=")
                {
                    tokens.Add(new Token(TokenKind.Symbol, two, start));
                    i += 2;
                }
                else if ("+-*/%()<>=,".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(new Token(TokenKind.Symbol, c.ToString(), start));
                    i++;
                }
                else
                {
                    throw new ExpressionException($"unexpected character '{c}'", start);
                }
            }
        }
        tokens.Add(new Token(TokenKind.End, "end of expression", text.Length));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int index;

        public Token Peek => tokens[index];

        private Token Next() => tokens[index++];

        private bool IsWord(string word) => Peek.Kind == TokenKind.Name && string.Equals(Peek.Text, word, StringComparison.OrdinalIgnoreCase);

        private bool IsSymbol(string symbol) => Peek.Kind == TokenKind.Symbol && Peek.Text == symbol;

        private void Expect(string symbol)
        {
            if (!IsSymbol(symbol))
            {
                throw new ExpressionException($"expected '{symbol}' but found '{Peek.Text}'", Peek.Position);
            }
            index++;
        }

        private static void Guard(int depth, int position)
        {
            if (depth > MaxDepth)
            {
                throw new ExpressionException($"the expression is nested more than {MaxDepth} deep", position);
            }
        }

        public Node Expression(int depth)
        {
            Guard(depth, Peek.Position);
            var left = And(depth + 1);
            while (IsWord("or"))
            {
                var at = Next().Position;
                left = new Binary(at, "or", left, And(depth + 1));
            }
            return left;
        }

        private Node And(int depth)
        {
            var left = Not(depth);
            while (IsWord("and"))
            {
                var at = Next().Position;
                left = new Binary(at, "and", left, Not(depth));
            }
            return left;
        }

        private Node Not(int depth)
        {
            Guard(depth, Peek.Position);
            if (IsWord("not"))
            {
                var at = Next().Position;
                return new Unary(at, "not", Not(depth + 1));
            }
            return Comparison(depth);
        }

        private Node Comparison(int depth)
        {
            var left = Additive(depth);
            if (Peek.Kind == TokenKind.Symbol && Peek.Text is "=" or "==" or "!=" or "<>" or "<" or "<=" or ">" or ">=")
            {
                var op = Next();
                var normal = op.Text switch { "==" => "=", "!=" => "<>", _ => op.Text };
                return new Binary(op.Position, normal, left, Additive(depth));
            }
            if (IsWord("is"))
            {
                var at = Next().Position;
                var negated = false;
                if (IsWord("not"))
                {
                    Next();
                    negated = true;
                }
                if (!IsWord("null"))
                {
                    throw new ExpressionException($"expected 'null' after 'is' but found '{Peek.Text}'", Peek.Position);
                }
                Next();
                return new IsNull(at, left, negated);
            }
            var notIn = IsWord("not") && index + 1 < tokens.Count && tokens[index + 1].Kind == TokenKind.Name && string.Equals(tokens[index + 1].Text, "in", StringComparison.OrdinalIgnoreCase);
            if (IsWord("in") || notIn)
            {
                var at = Peek.Position;
                if (notIn)
                {
                    Next();
                }
                Next();
                Expect("(");
                var items = new List<Node> { Additive(depth + 1) };
                while (IsSymbol(","))
                {
                    Next();
                    items.Add(Additive(depth + 1));
                }
                Expect(")");
                if (items.Count > 1000)
                {
                    throw new ExpressionException("an in-list may have at most 1000 items", at);
                }
                return new InList(at, left, items, notIn);
            }
            return left;
        }

        private Node Additive(int depth)
        {
            var left = Multiplicative(depth);
            while (IsSymbol("+") || IsSymbol("-"))
            {
                var op = Next();
                left = new Binary(op.Position, op.Text, left, Multiplicative(depth));
            }
            return left;
        }

        private Node Multiplicative(int depth)
        {
            var left = UnaryMinus(depth);
            while (IsSymbol("*") || IsSymbol("/") || IsSymbol("%"))
            {
                var op = Next();
                left = new Binary(op.Position, op.Text, left, UnaryMinus(depth));
            }
            return left;
        }

        private Node UnaryMinus(int depth)
        {
            Guard(depth, Peek.Position);
            if (IsSymbol("-"))
            {
                var at = Next().Position;
                return new Unary(at, "-", UnaryMinus(depth + 1));
            }
            return Primary(depth);
        }

        private Node Primary(int depth)
        {
            var token = Next();
            switch (token.Kind)
            {
                case TokenKind.Number:
                    if (long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
                    {
                        return new Literal(token.Position, whole, "integer");
                    }
                    if (double.TryParse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
                    {
                        return new Literal(token.Position, real, "decimal");
                    }
                    throw new ExpressionException($"'{token.Text}' is not a number", token.Position);
                case TokenKind.String:
                    return new Literal(token.Position, token.Text, "string", token.DoubleQuoted);
                case TokenKind.Symbol when token.Text == "(":
                    var inner = Expression(depth + 1);
                    Expect(")");
                    return inner;
                case TokenKind.Name when token.Text.StartsWith('['):
                    return new Column(token.Position, token.Text[1..]);
                case TokenKind.Name:
                    var word = token.Text.ToLowerInvariant();
                    if (IsSymbol("("))
                    {
                        Next();
                        var arguments = new List<Node>();
                        if (!IsSymbol(")"))
                        {
                            arguments.Add(Expression(depth + 1));
                            while (IsSymbol(","))
                            {
                                Next();
                                arguments.Add(Expression(depth + 1));
                            }
                        }
                        Expect(")");
                        return new Call(token.Position, word, arguments);
                    }
                    return word switch
                    {
                        "true" => new Literal(token.Position, true, "boolean"),
                        "false" => new Literal(token.Position, false, "boolean"),
                        "null" => new Literal(token.Position, null, "null"),
                        _ => new Column(token.Position, token.Text),
                    };
                default:
                    throw new ExpressionException(token.Kind == TokenKind.End ? "the expression ends too early" : $"unexpected '{token.Text}'", token.Position);
            }
        }
    }

    // ---------------------------------------------------------------- compiling

    /// <summary>Compiles a parsed expression over columns of known types into SQL and its platform type.</summary>
    public static (string Sql, string Type) Compile(Node node, IReadOnlyList<TransformColumn> columns, SqlParameters parameters)
    {
        switch (node)
        {
            case Literal { Value: null }:
                return ("NULL", "null");
            case Literal { DoubleQuoted: true, Value: string text } quoted when columns.Any(c => string.Equals(c.Name, text, StringComparison.OrdinalIgnoreCase)):
                // SQL users write "Région" for a column; here it would be the text itself, and a comparison with it would
                // quietly hold for every row or none. Said once, with both spellings.
                throw new ExpressionException($"\"{text}\" is text here, not the column: write [{text}] for the column, or '{text}' for the text", quoted.Position);
            case Literal literal:
                return ($"CAST({parameters.Add(literal.Value)} AS {SqlType(literal.Type)})", literal.Type);
            case Column column:
                var found = columns.FirstOrDefault(c => c.Name == column.Name)
                    ?? columns.FirstOrDefault(c => string.Equals(c.Name, column.Name, StringComparison.OrdinalIgnoreCase))
                    ?? throw new ExpressionException($"unknown column '{column.Name}'" + Suggest(column.Name, columns), column.Position);
                return (Transforms.Sql.Id(found.Name), found.Type);
            case Unary { Op: "not" } not:
                var operand = Compile(not.Operand, columns, parameters);
                RequireType(operand.Type, not.Position, "'not'", "boolean");
                return ($"(NOT {operand.Sql})", "boolean");
            case Unary minus:
                var negated = Compile(minus.Operand, columns, parameters);
                RequireType(negated.Type, minus.Position, "'-'", "integer", "decimal");
                return ($"(- {negated.Sql})", negated.Type == "null" ? "decimal" : negated.Type);
            case IsNull isNull:
                var tested = Compile(isNull.Operand, columns, parameters);
                return ($"({tested.Sql} IS {(isNull.Negated ? "NOT " : string.Empty)}NULL)", "boolean");
            case InList inList:
                var value = Compile(inList.Operand, columns, parameters);
                var items = inList.Items.Select(i => Compile(i, columns, parameters)).ToList();
                foreach (var item in items)
                {
                    Comparable(value.Type, item.Type, inList.Position, "in");
                }
                return ($"({value.Sql} {(inList.Negated ? "NOT " : string.Empty)}IN ({string.Join(", ", items.Select(i => Coerce(i, value.Type)))}))", "boolean");
            case Binary binary:
                return CompileBinary(binary, columns, parameters);
            case Call call:
                return CompileCall(call, columns, parameters);
            default:
                throw new ExpressionException("unsupported expression", node.Position);
        }
    }

    private static (string, string) CompileBinary(Binary binary, IReadOnlyList<TransformColumn> columns, SqlParameters parameters)
    {
        var left = Compile(binary.Left, columns, parameters);
        var right = Compile(binary.Right, columns, parameters);
        switch (binary.Op)
        {
            case "and" or "or":
                RequireType(left.Type, binary.Left.Position, $"'{binary.Op}'", "boolean");
                RequireType(right.Type, binary.Right.Position, $"'{binary.Op}'", "boolean");
                return ($"({left.Sql} {binary.Op.ToUpperInvariant()} {right.Sql})", "boolean");
            case "=" or "<>" or "<" or "<=" or ">" or ">=":
                Comparable(left.Type, right.Type, binary.Position, binary.Op);
                return ($"({Coerce(left, right.Type)} {binary.Op} {Coerce(right, left.Type)})", "boolean");
            case "+" when left.Type == "string" || right.Type == "string":
                return ($"({ToText(left)} || {ToText(right)})", "string");
            default:
                RequireType(left.Type, binary.Left.Position, $"'{binary.Op}'", "integer", "decimal");
                RequireType(right.Type, binary.Right.Position, $"'{binary.Op}'", "integer", "decimal");
                var integral = left.Type is "integer" or "null" && right.Type is "integer" or "null";
                return binary.Op switch
                {
                    "/" => ($"(CAST({left.Sql} AS DOUBLE) / NULLIF(CAST({right.Sql} AS DOUBLE), 0))", "decimal"),
                    "%" when integral => ($"({left.Sql} % NULLIF({right.Sql}, 0))", "integer"),
                    "%" => ($"fmod(CAST({left.Sql} AS DOUBLE), NULLIF(CAST({right.Sql} AS DOUBLE), 0))", "decimal"),
                    _ when integral => ($"CAST(({left.Sql} {binary.Op} {right.Sql}) AS BIGINT)", "integer"),
                    _ => ($"(CAST({left.Sql} AS DOUBLE) {binary.Op} CAST({right.Sql} AS DOUBLE))", "decimal"),
                };
        }
    }

    private static (string, string) CompileCall(Call call, IReadOnlyList<TransformColumn> columns, SqlParameters parameters)
    {
        var name = call.Name;
        if (name == "date_trunc" || name == "date_diff")
        {
            // The part is a word from a fixed list, written into the SQL by us, never a parameter.
            if (call.Arguments.Count != (name == "date_trunc" ? 2 : 3) || call.Arguments[0] is not Literal { Type: "string", Value: string part } || !DateParts.Contains(part.ToLowerInvariant()))
            {
                throw new ExpressionException($"{name} takes a part ('{string.Join("', '", DateParts)}') then {(name == "date_trunc" ? "a date" : "two dates")}", call.Position);
            }
            var dates = call.Arguments.Skip(1).Select(a => Compile(a, columns, parameters)).ToList();
            foreach (var (date, i) in dates.Select((d, i) => (d, i)))
            {
                RequireType(date.Type, call.Arguments[i + 1].Position, name, "date", "timestamp");
            }
            var p = DuckDbText(part.ToLowerInvariant());
            return name == "date_trunc"
                ? (dates[0].Type == "date" ? $"CAST(date_trunc({p}, {dates[0].Sql}) AS DATE)" : $"date_trunc({p}, {dates[0].Sql})", dates[0].Type)
                : ($"date_diff({p}, {dates[0].Sql}, {dates[1].Sql})", "integer");
        }
        var args = call.Arguments.Select(a => Compile(a, columns, parameters)).ToList();
        void Arity(int min, int max)
        {
            if (args.Count < min || args.Count > max)
            {
                var wanted = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
                throw new ExpressionException($"{name} takes {wanted} argument{(max == 1 ? string.Empty : "s")}, not {args.Count}", call.Position);
            }
        }
        void Types(params string[] allowed)
        {
            for (var i = 0; i < args.Count; i++)
            {
                RequireType(args[i].Type, call.Arguments[i].Position, name, allowed);
            }
        }
        string A(int i) => args[i].Sql;
        switch (name)
        {
            case "abs" or "floor" or "ceil":
                Arity(1, 1);
                Types("integer", "decimal");
                return args[0].Type == "integer" ? ($"{name}({A(0)})", "integer") : ($"{name}(CAST({A(0)} AS DOUBLE))", "decimal");
            case "round":
                Arity(1, 2);
                Types("integer", "decimal");
                if (args.Count == 2 && call.Arguments[1] is not Literal { Type: "integer" })
                {
                    throw new ExpressionException("round's second argument is a whole number of digits", call.Arguments[1].Position);
                }
                return args.Count == 1 ? ($"round(CAST({A(0)} AS DOUBLE))", "decimal") : ($"round(CAST({A(0)} AS DOUBLE), CAST({A(1)} AS INTEGER))", "decimal");
            case "sqrt" or "ln" or "log10" or "exp":
                Arity(1, 1);
                Types("integer", "decimal");
                // Out-of-domain inputs (sqrt of a negative, ln of zero) give null rather than an error or NaN.
                var guard = name switch { "sqrt" => $"{A(0)} >= 0", "exp" => "true", _ => $"{A(0)} > 0" };
                return ($"CASE WHEN {guard} THEN {name}(CAST({A(0)} AS DOUBLE)) END", "decimal");
            case "power":
                Arity(2, 2);
                Types("integer", "decimal");
                return ($"pow(CAST({A(0)} AS DOUBLE), CAST({A(1)} AS DOUBLE))", "decimal");
            case "least" or "greatest" or "coalesce":
                Arity(name == "coalesce" ? 1 : 2, 100);
                var common = CommonType(args, call);
                return ($"{name}({string.Join(", ", args.Select(a => Coerce(a, common)))})", common);
            case "nullif":
                Arity(2, 2);
                Comparable(args[0].Type, args[1].Type, call.Position, name);
                return ($"nullif({A(0)}, {Coerce(args[1], args[0].Type)})", args[0].Type);
            case "if":
                Arity(3, 3);
                RequireType(args[0].Type, call.Arguments[0].Position, "if's condition", "boolean");
                var branch = CommonType(args.Skip(1).ToList(), call);
                return ($"(CASE WHEN {A(0)} THEN {Coerce(args[1], branch)} ELSE {Coerce(args[2], branch)} END)", branch);
            case "lower" or "upper" or "trim" or "length":
                Arity(1, 1);
                Types("string");
                return ($"{name}({A(0)})", name == "length" ? "integer" : "string");
            case "substring":
                Arity(2, 3);
                RequireType(args[0].Type, call.Arguments[0].Position, name, "string");
                for (var i = 1; i < args.Count; i++)
                {
                    RequireType(args[i].Type, call.Arguments[i].Position, name, "integer");
                }
                return ($"substring({string.Join(", ", args.Select(a => a.Sql))})", "string");
            case "left" or "right":
                Arity(2, 2);
                RequireType(args[0].Type, call.Arguments[0].Position, name, "string");
                RequireType(args[1].Type, call.Arguments[1].Position, name, "integer");
                return ($"{name}({A(0)}, CAST({A(1)} AS BIGINT))", "string");
            case "replace":
                Arity(3, 3);
                Types("string");
                return ($"replace({A(0)}, {A(1)}, {A(2)})", "string");
            case "concat":
                Arity(1, 100);
                return ($"concat({string.Join(", ", args.Select(ToText))})", "string");
            case "contains" or "starts_with" or "ends_with":
                Arity(2, 2);
                Types("string");
                return ($"{(name == "contains" ? "contains" : name == "starts_with" ? "starts_with" : "ends_with")}({A(0)}, {A(1)})", "boolean");
            case "year" or "quarter" or "month" or "week" or "day" or "weekday" or "hour" or "minute":
                Arity(1, 1);
                Types("date", "timestamp");
                // weekday: 1 = Monday … 7 = Sunday (ISO).
                return ($"CAST({(name == "weekday" ? "isodow" : name)}({A(0)}) AS BIGINT)", "integer");
            case "to_integer":
                Arity(1, 1);
                return ($"TRY_CAST({(args[0].Type == "decimal" ? $"round({A(0)})" : A(0))} AS BIGINT)", "integer");
            case "to_decimal":
                Arity(1, 1);
                return ($"TRY_CAST({A(0)} AS DOUBLE)", "decimal");
            case "to_string":
                Arity(1, 1);
                return (ToText(args[0]), "string");
            case "to_boolean":
                Arity(1, 1);
                return ($"TRY_CAST({A(0)} AS BOOLEAN)", "boolean");
            case "to_date":
                Arity(1, 1);
                return ($"TRY_CAST({A(0)} AS DATE)", "date");
            case "to_timestamp":
                Arity(1, 1);
                return ($"TRY_CAST({A(0)} AS TIMESTAMP)", "timestamp");
            default:
                throw new ExpressionException($"unknown function '{call.Name}'; the functions are {string.Join(", ", FunctionNames)}", call.Position);
        }
    }

    /// <summary>The platform type's DuckDB type.</summary>
    public static string SqlType(string type) => type switch
    {
        "integer" => "BIGINT",
        "decimal" => "DOUBLE",
        "boolean" => "BOOLEAN",
        "date" => "DATE",
        "timestamp" => "TIMESTAMP",
        _ => "VARCHAR",
    };

    private static string DuckDbText(string fixedWord) => "'" + fixedWord + "'";

    private static string ToText((string Sql, string Type) value) => value.Type == "string" ? value.Sql : $"CAST({value.Sql} AS VARCHAR)";

    private static bool Numeric(string type) => type is "integer" or "decimal";

    /// <summary>A text literal compared with a date is read as a date; other values pass through.</summary>
    private static string Coerce((string Sql, string Type) value, string target) =>
        value.Type == "string" && target is "date" or "timestamp" ? $"CAST({value.Sql} AS {SqlType(target)})"
        : value.Type == "integer" && target == "decimal" ? $"CAST({value.Sql} AS DOUBLE)"
        : value.Type == "null" && target != "null" ? $"CAST(NULL AS {SqlType(target)})"
        : value.Sql;

    private static void Comparable(string left, string right, int position, string op)
    {
        if (left == right || left == "null" || right == "null" || (Numeric(left) && Numeric(right))
            || (left is "date" or "timestamp" && right is "date" or "timestamp" or "string")
            || (right is "date" or "timestamp" && left == "string"))
        {
            return;
        }
        throw new ExpressionException($"cannot compare {left} with {right} ('{op}')", position);
    }

    private static string CommonType(IReadOnlyList<(string Sql, string Type)> values, Call call)
    {
        var types = values.Select(v => v.Type).Where(t => t != "null").Distinct().ToList();
        if (types.Count == 0)
        {
            return "string";
        }
        if (types.Count == 1)
        {
            return types[0];
        }
        if (types.All(Numeric))
        {
            return "decimal";
        }
        if (types.All(t => t is "date" or "timestamp"))
        {
            return "timestamp";
        }
        throw new ExpressionException($"{call.Name}'s arguments mix {string.Join(" and ", types)}", call.Position);
    }

    private static void RequireType(string actual, int position, string what, params string[] allowed)
    {
        if (actual != "null" && !allowed.Contains(actual))
        {
            throw new ExpressionException($"{what} needs {string.Join(" or ", allowed)}, not {actual}", position);
        }
    }

    private static string Suggest(string name, IReadOnlyList<TransformColumn> columns)
    {
        var near = columns.Where(c => !c.Name.StartsWith("__", StringComparison.Ordinal))
            .Select(c => c.Name)
            .OrderBy(c => Distance(c.ToLowerInvariant(), name.ToLowerInvariant()))
            .FirstOrDefault();
        var hint = name.Contains(' ', StringComparison.Ordinal) ? string.Empty : " (names with spaces or symbols go in [brackets])";
        return near is null ? hint : $"; did you mean [{near}]?" + hint;
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }
}

/// <summary>A column while a transform is being compiled: its name and platform type.</summary>
internal sealed record TransformColumn(string Name, string Type);

/// <summary>Named, bound parameters for one DuckDB statement (<c>$p0</c>, <c>$p1</c>, …).</summary>
internal sealed class SqlParameters
{
    private readonly List<(string Name, object? Value)> values = [];

    public IReadOnlyList<(string Name, object? Value)> Values => values;

    public string Add(object? value)
    {
        var name = "p" + values.Count.ToString(CultureInfo.InvariantCulture);
        values.Add((name, value));
        return "$" + name;
    }

    public void Bind(DuckDB.NET.Data.DuckDBCommand command)
    {
        foreach (var (name, value) in values)
        {
            command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter(name, value));
        }
    }
}

internal static class Sql
{
    public static string Id(string name) => Engine.DuckDb.Identifier(name);
}
