using Astralytiq.Contracts.Client;
using Astralytiq.Contracts.Errors;

namespace Astralytiq.Tests.Api;

public sealed class ApiExceptionTests
{
    [Fact]
    public void A_failed_call_names_each_fields_problem_not_only_the_summary()
    {
        var envelope = new ErrorEnvelope(new ErrorBody("VALIDATION_ERROR", "The provided data is invalid",
            [new ErrorDetail("sql", "the query ran longer than 3 s and was stopped"), new ErrorDetail("limit", "limit must be 1 to 10,000")],
            "req_1", DateTimeOffset.UnixEpoch));
        var exception = new ApiException(422, envelope);
        Assert.Equal("API call failed with 422: VALIDATION_ERROR The provided data is invalid; sql: the query ran longer than 3 s and was stopped; limit: limit must be 1 to 10,000",
            exception.Message);
        Assert.Equal("API call failed with 500:  ", new ApiException(500, null).Message);
    }
}
