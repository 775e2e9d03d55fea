using Microsoft.OpenApi;

namespace Astralytiq.Platform.Http;

internal static class OpenApiSetup
{
    public static IServiceCollection AddPlatformOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Astralytiq API",
                    Version = "v1",
                    Description = "Multi-tenant analytics platform. Errors use one envelope: {\"error\": {code, message, details, request_id, timestamp}}.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "Access token from POST /api/v1/users/login",
                };
                document.Components.SecuritySchemes["api_key"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = AuthSchemes.ApiKeyHeader,
                    Description = "An API key created at POST /api/v1/users/api-keys",
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var needsAuth = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
                var permission = metadata.OfType<RequiresPermissionAttribute>().LastOrDefault();
                if (metadata.OfType<MultipartBodyMetadata>().LastOrDefault() is { } multipart)
                {
                    MultipartBodyConventions.Describe(operation, multipart);
                }
                if (metadata.OfType<DeprecationMetadata>().LastOrDefault() is { } deprecation)
                {
                    DeprecationConventions.Describe(operation, deprecation);
                }
                if (needsAuth)
                {
                    operation.Security =
                    [
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] },
                        new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("api_key", context.Document)] = [] },
                    ];
                    operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                    if (permission is not null)
                    {
                        operation.Extensions["x-permission"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(PermissionMatrix.ScopeName(permission.Permission)));
                    }
                }
                return Task.CompletedTask;
            });
        });
        return services;
    }
}

/// <summary>
/// Documents a multipart/form-data body that the endpoint reads itself (streaming). Unlike
/// <c>.Accepts()</c> it does not take part in routing, so an anonymous caller still gets 401, not 415.
/// </summary>
public sealed record MultipartBodyMetadata(string FileField, IReadOnlyList<string> TextFields);

public static class MultipartBodyConventions
{
    public static TBuilder DocumentsMultipartBody<TBuilder>(this TBuilder builder, string fileField, params string[] textFields)
        where TBuilder : Microsoft.AspNetCore.Builder.IEndpointConventionBuilder =>
        Microsoft.AspNetCore.Builder.RoutingEndpointConventionBuilderExtensions.WithMetadata(builder, new MultipartBodyMetadata(fileField, textFields));

    internal static void Describe(OpenApiOperation operation, MultipartBodyMetadata body)
    {
        var schema = new OpenApiSchema { Type = JsonSchemaType.Object, Required = new HashSet<string> { body.FileField }, Properties = new Dictionary<string, IOpenApiSchema>() };
        schema.Properties[body.FileField] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        foreach (var field in body.TextFields)
        {
            schema.Properties[field] = new OpenApiSchema { Type = JsonSchemaType.String };
        }
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = new OpenApiMediaType { Schema = schema } },
        };
    }
}
