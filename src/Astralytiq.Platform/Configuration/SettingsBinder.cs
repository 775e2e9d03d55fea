namespace Astralytiq.Platform.Configuration;

/// <summary>Something the operator must fix before the server can start; the host prints the message alone and exits.</summary>
public class StartupRefusedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A setting that would not work: the server refuses to start and says which key and why.</summary>
public sealed class InvalidSettingException(string message, Exception? inner = null) : StartupRefusedException(message, inner);

/// <summary>A database whose schema this build cannot upgrade (made before the migrations were squashed).</summary>
public sealed class SchemaMismatchException(string message) : StartupRefusedException(message);

/// <summary>
/// Binds a settings section strictly, at start: a key the section does not know (a typo), a value that does not
/// convert to its type, or a value outside its declared range (<see cref="RangeAttribute"/> and the other data
/// annotations) stops the server with a message naming the full key, instead of being ignored or failing later.
/// </summary>
public static class SettingsBinder
{
    public static T Bind<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var node = configuration.GetSection(section);
        T settings;
        try
        {
            settings = node.Get<T>(o => o.ErrorOnUnknownConfiguration = true) ?? new T();
        }
        catch (InvalidOperationException ex)
        {
            // The binder's messages name the key ("...at 'Astralytiq:Data:ParseSlots' to type 'System.Int32'" or
            // "'Foo' was not found on type ..."); the first line is kept, with the section for the unknown-key case.
            throw new InvalidSettingException($"Setting in '{section}' is not valid: {ex.Message}", ex);
        }
        var errors = new List<string>();
        Validate(settings, section, errors);
        if (errors.Count > 0)
        {
            throw new InvalidSettingException(string.Join("; ", errors));
        }
        return settings;
    }

    /// <summary>Validates an object's annotations and, by the same rules, every nested settings object (a sub-section).</summary>
    private static void Validate(object settings, string section, List<string> errors)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true))
        {
            errors.AddRange(results.Select(r => $"{section}:{r.MemberNames.FirstOrDefault() ?? "?"}: {r.ErrorMessage}"));
        }
        foreach (var property in settings.GetType().GetProperties().Where(p => p.CanRead && p.GetIndexParameters().Length == 0
            && p.PropertyType.IsClass && p.PropertyType != typeof(string) && p.PropertyType.Namespace?.StartsWith("Astralytiq", StringComparison.Ordinal) == true))
        {
            if (property.GetValue(settings) is { } nested)
            {
                Validate(nested, $"{section}:{property.Name}", errors);
            }
        }
    }
}
