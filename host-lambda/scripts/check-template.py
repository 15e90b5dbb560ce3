"""Check host-lambda/template.yaml offline: aws-sam-translator transforms it (as CloudFormation
would), the result must wire a TOKEN authorizer on the Authorization header with a TTL, and
cfn-lint must pass on the transformed template. Run with the venv of install-tools.sh."""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# The translator needs a region for pseudo parameters; nothing is sent anywhere.
os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")

import yaml  # noqa: E402
from samtranslator.translator.transform import transform  # noqa: E402


class OfflinePolicies:
    """The translator asks IAM for managed policy ARNs; answer from the well-known list."""

    def load(self):
        return {"AWSLambdaBasicExecutionRole": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"}


class CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader, suffix, node):
    name = "Fn::GetAtt" if suffix == "GetAtt" else ("Ref" if suffix == "Ref" else "Fn::" + suffix)
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _tag)


def main():
    template_path = Path(sys.argv[1])
    template = yaml.load(template_path.read_text(), Loader=CfnLoader)
    # `sam deploy` uploads the local zip and rewrites CodeUri to S3; do the same offline.
    template["Resources"]["AuthorizerFunction"]["Properties"]["CodeUri"] = "s3://example-bucket/bootstrap.zip"
    params = {"Issuer": "https://id.example/", "Audience": "api://example"}
    output = transform(template, params, OfflinePolicies())

    resources = output["Resources"]
    # SAM writes the authorizer into the REST API's OpenAPI body.
    body = resources["Api"]["Properties"]["Body"]
    scheme = body["securityDefinitions"]["JwtGate"]
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert scheme["in"] == "header" and scheme["name"] == "Authorization", scheme
    assert authorizer["type"] == "token", authorizer
    assert authorizer["authorizerResultTtlInSeconds"] == 300, authorizer
    assert "AuthorizerFunction" in json.dumps(authorizer["authorizerUri"]), authorizer
    assert body["paths"]["/hello"]["get"]["security"] == [{"JwtGate": []}], "route not protected"
    function = resources["AuthorizerFunction"]["Properties"]
    assert function["Runtime"] == "provided.al2023" and function["Handler"] == "bootstrap", function
    assert any(
        r["Type"] == "AWS::Lambda::Permission" and "AuthorizerFunction" in json.dumps(r) and "apigateway" in json.dumps(r)
        for r in resources.values()
    ), "API Gateway may not invoke the authorizer"

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(output, f)
    lint = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), f.name], capture_output=True, text=True)
    Path(f.name).unlink()
    if lint.returncode != 0:
        print(lint.stdout, lint.stderr, file=sys.stderr)
        sys.exit("cfn-lint failed on the transformed template")
    print("template.yaml: transformed by aws-sam-translator, TOKEN authorizer wired, cfn-lint clean")


if __name__ == "__main__":
    main()
