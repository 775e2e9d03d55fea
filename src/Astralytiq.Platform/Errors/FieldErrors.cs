namespace Astralytiq.Platform.Errors;

/// <summary>Collects per-field validation failures; empty means valid.</summary>
public sealed class FieldErrors
{
    private readonly List<ErrorDetail> _items = [];

    public bool IsEmpty => _items.Count == 0;

    public IReadOnlyList<ErrorDetail> Items => _items;

    public FieldErrors Add(string field, string message)
    {
        _items.Add(new ErrorDetail(field, message));
        return this;
    }

    public FieldErrors Required(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"{field} is required");
        }
        return this;
    }

    public FieldErrors MaxLength(string field, string? value, int max)
    {
        if (value is not null && value.Length > max)
        {
            Add(field, $"{field} must be at most {max} characters");
        }
        return this;
    }

    public ValidationError ToError() => new(_items.ToArray());
}
