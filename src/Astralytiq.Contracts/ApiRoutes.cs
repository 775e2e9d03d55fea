namespace Astralytiq.Contracts;

/// <summary>
/// Where the API lives: the host maps its version groups here, and every <c>Location</c> header and status link is
/// built from it, so a prefix changes in one place.
/// </summary>
public static class ApiRoutes
{
    /// <summary>The prefix of version 1 of the API.</summary>
    public const string V1 = "/api/v1";

    /// <summary>The status resource of a background job.</summary>
    public static string Job(Guid id) => $"{V1}/jobs/{id}";
}
