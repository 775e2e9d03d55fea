using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Astralytiq.Data.Datasets.Upload;

/// <summary>A received multipart upload: the file streamed to a temporary path while hashed, and the form fields.</summary>
internal sealed record ReceivedUpload(string TempPath, string FileName, long Size, string Sha256, Dictionary<string, string> Fields);

/// <summary>Reads a multipart upload (one file, small form fields) and the reading options its fields name.</summary>
internal static class MultipartUpload
{
    private const int MaxFieldBytes = 8 * 1024;

    public static async Task<Result<ReceivedUpload>> ReadAsync(Stream body, string boundary, DatasetFiles files, long maxBytes, CancellationToken ct)
    {
        var reader = new MultipartReader(boundary, body) { HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? tempPath = null, fileName = null, sha = null;
        long size = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }
                if (disposition.IsFileDisposition())
                {
                    if (tempPath is not null)
                    {
                        DeleteIfAny(tempPath);
                        return ValidationError.For("file", "send one file per upload");
                    }
                    fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "upload");
                    tempPath = files.NewTempPath(Path.GetExtension(fileName).ToLowerInvariant() is { Length: <= 10 } ext ? ext : string.Empty);
                    (size, sha) = await CopyHashedAsync(section.Body, tempPath, maxBytes, ct);
                    if (size > maxBytes)
                    {
                        File.Delete(tempPath);
                        return new CodedError(413, ErrorCodes.PayloadTooLarge, $"The file is larger than the {maxBytes / (1024 * 1024)} MiB limit");
                    }
                }
                else if (disposition.IsFormDisposition())
                {
                    var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                    var buffer = new byte[MaxFieldBytes + 1];
                    var length = 0;
                    int n;
                    while (length <= MaxFieldBytes && (n = await section.Body.ReadAsync(buffer.AsMemory(length), ct)) > 0)
                    {
                        length += n;
                    }
                    if (length > MaxFieldBytes)
                    {
                        DeleteIfAny(tempPath);
                        return ValidationError.For(name, $"{name} is too long");
                    }
                    fields[name] = Encoding.UTF8.GetString(buffer, 0, length);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            DeleteIfAny(tempPath);
            return new BadRequestError("The multipart body is malformed: " + ex.Message);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !ct.IsCancellationRequested && !DependencyFaults.IsDiskFull(ex))
        {
            // MultipartReader's "Unexpected end of Stream": the body ended before its closing boundary (or was empty).
            // (A full disk is the server's problem, not a short body: it goes on to the exception handler's 503.)
            DeleteIfAny(tempPath);
            return new BadRequestError("The multipart body ends before its closing boundary; send the whole form");
        }
        catch
        {
            // The client went away or the body broke a limit: no temporary file outlives the request.
            DeleteIfAny(tempPath);
            throw;
        }
        if (tempPath is null || fileName is null || sha is null)
        {
            return ValidationError.For("file", "file is required");
        }
        return new ReceivedUpload(tempPath, fileName, size, sha, fields);
    }

    private static void DeleteIfAny(string? path)
    {
        if (path is not null)
        {
            File.Delete(path);
        }
    }

    private static async Task<(long Size, string Sha256)> CopyHashedAsync(Stream source, string path, long maxBytes, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long size = 0;
        await using var target = File.Create(path);
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            size += read;
            if (size > maxBytes)
            {
                return (size, string.Empty);
            }
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    public static Result<ParseOptions> ParseOptions(ReceivedUpload upload)
    {
        var errors = new FieldErrors();
        var format = upload.Fields.GetValueOrDefault("format")?.Trim().ToLowerInvariant() is { Length: > 0 } f ? f : Ingest.FormatFromFileName(upload.FileName);
        if (format is null)
        {
            errors.Add("format", "format could not be told from the file name; give one of csv, tsv, json, parquet, xlsx, sqlite");
        }
        else if (!Ingest.Formats.Contains(format))
        {
            errors.Add("format", "format must be one of csv, tsv, json, parquet, xlsx, sqlite");
        }
        string? delimiter = null;
        if (upload.Fields.GetValueOrDefault("delimiter") is { Length: > 0 } d)
        {
            delimiter = d is "\\t" or "tab" ? "\t" : d;
            if (delimiter.Length != 1 || delimiter is "\"" or "\n" or "\r")
            {
                errors.Add("delimiter", "delimiter must be a single character such as , ; | or \\t");
            }
        }
        bool? header = null;
        if (upload.Fields.GetValueOrDefault("header") is { Length: > 0 } h)
        {
            if (!bool.TryParse(h, out var parsed))
            {
                errors.Add("header", "header must be true or false");
            }
            header = parsed;
        }
        var sheet = upload.Fields.GetValueOrDefault("sheet")?.Trim() is { Length: > 0 } sh ? sh : null;
        if (sheet is { Length: > 100 })
        {
            errors.Add("sheet", "sheet must be a sheet name or its 1-based number");
        }
        // A SQLite database: one table (the only one when not named) or one read-only SELECT.
        var table = upload.Fields.GetValueOrDefault("table")?.Trim() is { Length: > 0 } tb ? tb : null;
        var query = upload.Fields.GetValueOrDefault("query")?.Trim() is { Length: > 0 } q ? q : null;
        if (table is not null && query is not null)
        {
            errors.Add("table", "give table or query, not both");
        }
        if (table is { Length: > 200 })
        {
            errors.Add("table", "table must be at most 200 characters");
        }
        return errors.IsEmpty ? new ParseOptions(format!, delimiter, header, sheet, table, query) : errors.ToError();
    }
}
